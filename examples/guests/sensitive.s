; sensitive.s — uses every sensitive instruction of tiny86, in the ring where
; each one means something, and prints what it saw.
;
; Ring 0 (this file is its own small kernel): MOV CR, LMSW, LGDT, LIDT, LTR,
; OUT, IN, STI, CLI, IRET and, at the very end, HLT — all privileged.
; Ring 3: SGDT, SIDT, STR, SMSW, PUSHF and POPF — sensitive but NOT privileged:
; they run in user mode without trapping, see privileged state, and POPF's
; attempt to clear IF is silently ignored. Then CLI in ring 3 traps (#GP).

.equ KERNEL_STACK, 0xF000
.equ USER_STACK, 0x10000

.data
idt: .space 258
idt_desc: .word idt, 258
gdt: .word 0, 0, 0, 0
gdt_desc: .word gdt, 4
tss: .word 0, KERNEL_STACK, 0, 0, 0, 0
seen_gdt: .word 0, 0          ; what ring 3 learned, written by ring 3
seen_idt: .word 0, 0
seen_tr: .word 0
seen_msw: .word 0
seen_flags: .word 0
after_popf: .word 0
t_gdt: .asciz "ring 3 SGDT: GDT at "
t_idt: .asciz "ring 3 SIDT: IDT at "
t_tr: .asciz "ring 3 STR:  TSS at "
t_msw: .asciz "ring 3 SMSW: machine status word "
t_flags: .asciz "ring 3 PUSHF: flags "
t_popf: .asciz "ring 3 POPF with IF=0, then PUSHF: flags "
t_gp: .asciz "ring 3 CLI: #GP at eip "
nl: .asciz "\n"

.text
boot:
    MOV ESP, KERNEL_STACK
    MOV EAX, CR0              ; MOV from a control register (privileged)
    MOV CR3, EAX              ; MOV to a control register (privileged)
    SMSW EAX
    LMSW EAX                  ; load the machine status word (privileged)
    LGDT [gdt_desc]
    LIDT [idt_desc]
    MOV EAX, tss
    LTR EAX
    MOV [idt+26], on_gp       ; vector 13, #GP
    MOV [idt+27], 0x10
    MOV [idt+256], on_done    ; vector 0x80: user says "done"
    MOV [idt+257], 0x13
    MOV [idt+64], on_timer    ; vector 32
    MOV [idt+65], 0x10
    MOV EAX, 0
    OUT 0x40, EAX             ; timer off (OUT is IOPL-sensitive)
    IN EAX, 0xE9              ; reading the console port returns 0xE9 (Bochs-style)
    STI                       ; IOPL-sensitive too
    CLI
    PUSH USER_STACK
    PUSH 0x202                ; IF = 1, IOPL = 0
    PUSH 3
    PUSH user
    IRET                      ; to ring 3 (privileged in tiny86)

on_timer:
    IRET

user:                         ; ring 3 from here on
    SGDT [seen_gdt]
    SIDT [seen_idt]
    STR EAX
    MOV [seen_tr], EAX
    SMSW EAX
    MOV [seen_msw], EAX
    PUSHF
    POP EAX
    MOV [seen_flags], EAX
    PUSH 0x2                  ; flags with IF = 0 ...
    POPF                      ; ... ignored for IF: CPL 3 > IOPL 0, and no trap
    PUSHF
    POP EAX
    MOV [after_popf], EAX
    INT 0x80                  ; back to the kernel to print the report
    CLI                       ; privileged here: #GP
    JMP user

on_done:                      ; ring 0: print what ring 3 saw, then let it continue
    MOV EBX, t_gdt
    MOV EDX, [seen_gdt]
    CALL report
    MOV EBX, t_idt
    MOV EDX, [seen_idt]
    CALL report
    MOV EBX, t_tr
    MOV EDX, [seen_tr]
    CALL report
    MOV EBX, t_msw
    MOV EDX, [seen_msw]
    CALL report
    MOV EBX, t_flags
    MOV EDX, [seen_flags]
    CALL report
    MOV EBX, t_popf
    MOV EDX, [after_popf]
    CALL report
    IRET

on_gp:
    MOV EBX, t_gp
    MOV EDX, [ESP]            ; the faulting EIP, from the frame
    CALL report
    HLT                       ; IF is 0 in a handler: the machine stops

report:                       ; print the string at EBX, then EDX in hex, then a newline
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ report_number
    OUT 0xE9, ECX
    INC EBX
    JMP report
report_number:
    MOV ECX, '0'
    OUT 0xE9, ECX
    MOV ECX, 'x'
    OUT 0xE9, ECX
    MOV ESI, 8                ; eight hex digits, most significant first
next_digit:
    MOV ECX, EDX
    SHR ECX, 28
    SHL EDX, 4
    CMP ECX, 10
    JL decimal_digit
    ADD ECX, 39               ; 'a' - '0' - 10
decimal_digit:
    ADD ECX, '0'
    OUT 0xE9, ECX
    DEC ESI
    JNZ next_digit
    MOV ECX, 10
    OUT 0xE9, ECX
    RET
