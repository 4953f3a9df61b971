; divide.s — a user program that divides by zero. The CPU raises #DE (vector 0);
; the kernel's handler decides what that means: it reports and kills the process.
.include "kernel.s"

.data
before: .asciz "computing 7 / 0 in ring 3...\n"

.text
main:
    MOV EAX, SYS_WRITE
    MOV EBX, before
    INT 0x80
    MOV EAX, 7
    MOV EBX, 0
    DIV EAX, EBX             ; #DE: a fault, EIP stays on this instruction
    MOV EAX, SYS_EXIT        ; never reached
    MOV EBX, 0
    INT 0x80
