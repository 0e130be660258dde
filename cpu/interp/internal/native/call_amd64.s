#include "textflag.h"

// func call(fn uintptr, st *State)
TEXT ·call(SB), 0, $8-16
	MOVQ fn+0(FP), AX
	MOVQ st+8(FP), DI
	CALL AX
	RET
