; pagetables.s — the page-table-heavy workload: a kernel that switches address
; spaces SWITCHES times, the way a kernel does on every context switch, by
; loading a new page-table base into CR3, and does a little work in each.
; tiny86 has no paging unit, so only the cost of the switch itself is modelled:
; each MOV to CR3 is what a monitor must intercept to keep shadow page tables.

.equ SWITCHES, 1000
.equ KERNEL_STACK, 0xF000

.data
tables: .word 0x1000, 0x2000, 0x3000, 0x4000   ; four address spaces
done: .asciz "address-space switches done\n"

.text
boot:
    MOV ESP, KERNEL_STACK
    MOV ESI, SWITCHES
    MOV EDI, 0
switch:
    MOV EAX, [EDI+tables]     ; the next process's page-table base
    MOV CR3, EAX              ; switch address space
    ADD EDX, EAX              ; a little work in it
    INC EDI
    AND EDI, 3
    DEC ESI
    JNZ switch
    MOV EBX, done
print:
    MOV ECX, [EBX]
    CMP ECX, 0
    JZ halt
    OUT 0xE9, ECX
    INC EBX
    JMP print
halt:
    CLI
    HLT
