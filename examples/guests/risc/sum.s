; sum.s — rv8 (the small RISC-like instruction set): add 1 + 2 + ... + 100,
; keep the total in r3 and store it at `total`, then print "5050" digit by digit.
        LI   r1, 100          ; counter
        LI   r3, 0            ; total
loop:   ADD  r3, r3, r1
        ADDI r1, r1, -1
        BNE  r1, r0, loop
        SW   r3, total(r0)
        LI   r5, 1000         ; print r3 in decimal, four digits
        LI   r7, 10
digit:  LI   r4, 0            ; r4 = r3 / r5 by repeated subtraction
div:    BLT  r3, r5, show
        SUB  r3, r3, r5
        ADDI r4, r4, 1
        J    div
show:   ADDI r4, r4, 48       ; '0' + digit
        OUT  r4
        LI   r6, 0            ; r5 = r5 / 10
        LI   r8, 0
shrink: ADD  r8, r8, r7
        BLT  r5, r8, shrunk
        ADDI r6, r6, 1
        J    shrink
shrunk: ADD  r5, r6, r0
        BNE  r5, r0, digit
        LI   r4, 10
        OUT  r4
        HALT
total:  .word 0
