; nullcall.s — the system-call-heavy workload: a user program that makes CALLS
; system calls that do nothing (number 0 is unknown: the kernel returns -1 at
; once), like lmbench's "null call". Each costs a trip ring 3 -> ring 0 -> ring 3.
.include "kernel.s"

.equ CALLS, 1000

.text
main:
    MOV ESI, CALLS
again:
    MOV EAX, 0                ; no such system call: returns -1
    INT 0x80
    DEC ESI
    JNZ again
    MOV EAX, SYS_EXIT
    MOV EBX, 0
    INT 0x80
