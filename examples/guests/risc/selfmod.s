; selfmod.s — rv8 code that rewrites itself. The loop body's `ADDI r2, r2, 1`
; is overwritten, after the third pass, with the word stored at `patch`
; (`ADDI r2, r2, 100`). An emulator that caches translated code must notice
; the store and translate the loop again: the right answer is 1+1+1+100+100 = 203.
        LI   r1, 5            ; passes
        LI   r2, 0
        LW   r9, patch(r0)    ; the new instruction word
loop:
bump:   ADDI r2, r2, 1        ; rewritten in flight
        ADDI r1, r1, -1
        LI   r8, 2
        BNE  r1, r8, next     ; after the third pass (r1 == 2) ...
        SW   r9, bump(r0)     ; ... store the new instruction over `bump`
next:   BNE  r1, r0, loop
        HALT
patch:  .word 0x08220064      ; ADDI r2, r2, 100
