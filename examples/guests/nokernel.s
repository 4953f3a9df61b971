; nokernel.s — no kernel, no interrupt table: a fault has nowhere to go.
; On a real x86 this ends in a triple fault and the processor shuts down.
    MOV EAX, 7
    MOV EBX, 0
    DIV EAX, EBX
    HLT
