; privileged.s — a user program that tries a privileged instruction.
; HLT in ring 3 raises #GP; the kernel's handler decides: it kills the process.
.include "kernel.s"

.data
before: .asciz "about to halt the machine from ring 3...\n"

.text
main:
    MOV EAX, SYS_WRITE
    MOV EBX, before
    INT 0x80
    HLT                      ; privileged: traps to the kernel instead
    MOV EAX, SYS_EXIT        ; never reached
    MOV EBX, 0
    INT 0x80
