; loop.s — the benchmark guest: a tight loop in ring 3, then two system calls.
; At full length (ITERATIONS = 2,500,000) the loop body runs 10,000,000 instructions;
; tests assemble it with a smaller ITERATIONS (assemble(..., defines={"ITERATIONS": 100})).
.include "kernel.s"

.equ ITERATIONS, 2500000

.data
label: .asciz "checksum "
newline: .asciz "\n"

.text
main:
    MOV ECX, ITERATIONS
    MOV EAX, 0
    MOV EDX, 1
again:                       ; four instructions per iteration
    ADD EAX, EDX
    XOR EDX, 0x5
    DEC ECX
    JNZ again
    MOV ESI, EAX
    MOV EAX, SYS_WRITE
    MOV EBX, label
    INT 0x80
    MOV EAX, SYS_PUTNUM
    MOV EBX, ESI
    INT 0x80
    MOV EAX, SYS_WRITE
    MOV EBX, newline
    INT 0x80
    MOV EAX, SYS_EXIT
    MOV EBX, 0
    INT 0x80
