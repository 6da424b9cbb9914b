/* poppack.h -- ends the packed region a <pshpack1.h>, <pshpack2.h>,
 * <pshpack4.h> or <pshpack8.h> began.  No include guard: included once
 * per region. */
#pragma pack(pop)
