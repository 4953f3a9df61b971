; irqsave.s — a kernel that protects a counter with the "save flags, disable
; interrupts, restore flags" idiom (Linux calls it local_irq_save/restore), then
; sleeps with HLT until three timer interrupts have arrived.
;
; On bare hardware it prints "tick tick tick done". Run it as a guest kernel
; deprivileged to ring 1 under a naive trap-and-emulate monitor and POPF — which
; does not trap outside ring 0 — restores IF in hardware only; the monitor never
; learns that the guest re-enabled interrupts, and the guest sleeps forever.

.equ KERNEL_STACK, 0xF000

.data
idt: .space 66
idt_desc: .word idt, 66
ticks: .word 0
counter: .word 0
t_if: .asciz "IF inside the critical section: "
t_tick: .asciz "tick "
t_done: .asciz "done\n"

.text
boot:
    MOV ESP, KERNEL_STACK
    LIDT [idt_desc]
    MOV [idt+64], on_timer    ; vector 32, the timer
    MOV [idt+65], 0x10
    MOV EAX, 200
    OUT 0x40, EAX             ; a timer interrupt every 200 clock ticks
    STI
    PUSHF                     ; local_irq_save: remember IF (= 1) ...
    CLI                       ; ... and turn interrupts off
    MOV EAX, [counter]        ; the critical section
    INC EAX
    MOV [counter], EAX
    PUSHF                     ; what does IF look like in here?
    POP EDX
    SHR EDX, 9
    AND EDX, 1
    ADD EDX, '0'
    MOV EBX, t_if
    CALL print
    OUT 0xE9, EDX
    MOV EDX, 10
    OUT 0xE9, EDX
    POPF                      ; local_irq_restore: IF back to 1
wait:
    HLT                       ; sleep until the next interrupt
    MOV EBX, t_tick
    CALL print
    MOV EAX, [ticks]
    CMP EAX, 3
    JL wait
    MOV EBX, t_done
    CALL print
    CLI
    HLT

on_timer:
    PUSH EAX
    MOV EAX, [ticks]
    INC EAX
    MOV [ticks], EAX
    POP EAX
    IRET

print:                        ; print the 0-terminated string at EBX
    PUSH ECX
print_next:
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ print_done
    OUT 0xE9, ECX
    INC EBX
    JMP print_next
print_done:
    POP ECX
    RET
