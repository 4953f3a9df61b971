; kernel.s — a tiny teaching kernel for tiny86.
;
; It boots in ring 0 (as the CPU does after reset), installs its interrupt table,
; task-state segment and timer, then drops to ring 3 to run `main`, which the
; user program that includes this file defines. From then on the kernel runs
; only when the user program asks (INT 0x80) or the hardware interrupts it
; (the timer, a fault).
;
; System calls: put the number in EAX, arguments in EBX, then INT 0x80.
;   SYS_EXIT  (1)  EBX = exit code; the machine halts
;   SYS_WRITE (2)  EBX = address of a 0-terminated string to print
;   SYS_TICKS (3)  returns in EAX how many timer interrupts have happened
;   SYS_PUTNUM(4)  EBX = an unsigned number to print in decimal
; An unknown number returns -1 in EAX.

.equ SYS_EXIT, 1
.equ SYS_WRITE, 2
.equ SYS_TICKS, 3
.equ SYS_PUTNUM, 4
.equ TIMER_PERIOD, 1000      ; clock ticks between timer interrupts
.equ KERNEL_STACK, 0xF000    ; ring-0 stack top (the TSS tells the CPU)
.equ USER_STACK, 0x10000     ; ring-3 stack top: the top of memory
.equ GATE_KERNEL, 0x10       ; present, ring 0, only the CPU may raise it (DPL 0)
.equ GATE_USER, 0x13         ; present, ring 0, user code may INT it (DPL 3)
.equ USER_FLAGS, 0x202       ; IF = 1 (interrupts on), IOPL = 0, bit 1 always set

.data
idt: .space 258              ; two words per vector, vectors 0..0x80
idt_desc: .word idt, 258     ; base and limit, as LIDT reads them
gdt: .word 0, 0, 0, 0        ; tiny86 has no segments; the table exists so LGDT has one
gdt_desc: .word gdt, 4
tss: .word 0, KERNEL_STACK, 0, 0, 0, 0   ; ESP0 at word 1, as in the i386 TSS
exit_code: .word 0
msg_gp: .asciz "\n[kernel] general protection fault at eip "
msg_de: .asciz "\n[kernel] divide error at eip "
msg_ud: .asciz "\n[kernel] invalid opcode at eip "
msg_ss: .asciz "\n[kernel] stack fault at eip "
msg_killed: .asciz ": process killed\n"

.text
boot:
    MOV ESP, KERNEL_STACK
    MOV EAX, CR0
    OR EAX, 1                ; protection on (PE); tiny86 starts with it set already
    MOV CR0, EAX
    LGDT [gdt_desc]
    LIDT [idt_desc]
    MOV EAX, tss
    LTR EAX
    MOV [idt+0], on_divide   ; vector 0, #DE
    MOV [idt+1], GATE_KERNEL
    MOV [idt+12], on_invalid ; vector 6, #UD
    MOV [idt+13], GATE_KERNEL
    MOV [idt+24], on_stack   ; vector 12, #SS
    MOV [idt+25], GATE_KERNEL
    MOV [idt+26], on_gp      ; vector 13, #GP
    MOV [idt+27], GATE_KERNEL
    MOV [idt+64], on_timer   ; vector 32, the timer
    MOV [idt+65], GATE_KERNEL
    MOV [idt+256], on_syscall ; vector 0x80, system calls
    MOV [idt+257], GATE_USER
    MOV EAX, TIMER_PERIOD
    OUT 0x40, EAX            ; start the timer
    ; --8<-- [start:enter_user]
    PUSH USER_STACK          ; an interrupt frame that "returns" to ring 3:
    PUSH USER_FLAGS          ;   ESP, flags, ring, EIP — IRET pops them
    PUSH 3
    PUSH main
    IRET
    ; --8<-- [end:enter_user]

on_timer:
    IRET                     ; the timer's count is read with IN when asked

; --8<-- [start:syscall]
on_syscall:
    CMP EAX, SYS_WRITE
    JZ sys_write
    CMP EAX, SYS_TICKS
    JZ sys_ticks
    CMP EAX, SYS_PUTNUM
    JZ sys_putnum
    CMP EAX, SYS_EXIT
    JZ sys_exit
    MOV EAX, -1              ; no such system call
    IRET

sys_write:                   ; print the string at EBX
    PUSH EBX
    PUSH ECX
write_next:
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ write_done
    OUT 0xE9, ECX
    INC EBX
    JMP write_next
write_done:
    POP ECX
    POP EBX
    MOV EAX, 0
    IRET
; --8<-- [end:syscall]

sys_ticks:
    IN EAX, 0x40             ; the timer counts its own interrupts
    IRET

sys_putnum:
    CALL print_number
    MOV EAX, 0
    IRET

sys_exit:
    MOV [exit_code], EBX
    CLI
    HLT                      ; interrupts off: the machine stops here

print_number:                ; print EBX in decimal; keeps every register
    PUSH EAX
    PUSH ECX
    PUSH EDX
    MOV EAX, EBX
    MOV ECX, 0
split_digit:
    MOV EDX, EAX
    MOD EDX, 10
    ADD EDX, '0'
    PUSH EDX                 ; digits come out last-first; the stack reverses them
    INC ECX
    DIV EAX, 10
    JNZ split_digit
emit_digit:
    POP EDX
    OUT 0xE9, EDX
    DEC ECX
    JNZ emit_digit
    POP EDX
    POP ECX
    POP EAX
    RET

print_hex:                   ; print EDX as 0x and eight hex digits; keeps EDX
    PUSH ECX
    PUSH EDX
    PUSH ESI
    MOV ECX, '0'
    OUT 0xE9, ECX
    MOV ECX, 'x'
    OUT 0xE9, ECX
    MOV ESI, 8               ; most significant digit first
hex_digit:
    MOV ECX, EDX
    SHR ECX, 28
    SHL EDX, 4
    CMP ECX, 10
    JL hex_decimal
    ADD ECX, 39              ; 'a' - '0' - 10
hex_decimal:
    ADD ECX, '0'
    OUT 0xE9, ECX
    DEC ESI
    JNZ hex_digit
    POP ESI
    POP EDX
    POP ECX
    RET

; --8<-- [start:faults]
on_gp:
    MOV EBX, msg_gp
    JMP kill
on_divide:
    MOV EBX, msg_de
    JMP kill
on_invalid:
    MOV EBX, msg_ud
    JMP kill
on_stack:
    MOV EBX, msg_ss
    JMP kill

; --8<-- [end:faults]
kill:                        ; print EBX, the faulting EIP from the frame, and stop
    MOV EDX, [ESP]           ; the frame's first word: where the fault happened
print_message:
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ print_eip
    OUT 0xE9, ECX
    INC EBX
    JMP print_message
print_eip:
    CALL print_hex
    MOV EBX, msg_killed
kill_message:
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ kill_done
    OUT 0xE9, ECX
    INC EBX
    JMP kill_message
kill_done:
    MOV [exit_code], -1
    CLI
    HLT
