/* pshpack1.h -- structures that follow are packed to 1-byte boundaries, until
 * <poppack.h>.  No include guard: it is meant to be included once per
 * packed region, always paired with <poppack.h> (gcc keeps the stack). */
#pragma pack(push, 1)
