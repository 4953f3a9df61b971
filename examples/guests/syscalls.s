; syscalls.s — a user program that talks to the kernel: it prints, asks the
; time (timer interrupts counted by the kernel), waits for three ticks while the
; timer interrupts it, and exits.
.include "kernel.s"

.data
hello: .asciz "hello from ring 3\n"
waited: .asciz "timer ticks seen: "
newline: .asciz "\n"

.text
main:
    MOV EAX, SYS_WRITE
    MOV EBX, hello
    INT 0x80                 ; system call: ring 3 -> ring 0 -> ring 3
    MOV EAX, SYS_TICKS
    INT 0x80
    MOV ESI, EAX             ; ticks at the start
    ADD ESI, 3
spin:                        ; busy work; the timer interrupts it now and then
    MOV EAX, SYS_TICKS
    INT 0x80
    CMP EAX, ESI
    JL spin
    MOV ESI, EAX
    MOV EAX, SYS_WRITE
    MOV EBX, waited
    INT 0x80
    MOV EAX, SYS_PUTNUM
    MOV EBX, ESI
    INT 0x80
    MOV EAX, SYS_WRITE
    MOV EBX, newline
    INT 0x80
    MOV EAX, SYS_EXIT
    MOV EBX, 7
    INT 0x80
