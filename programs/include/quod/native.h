/* Quod's own program syntax (`program f(x : int) { ... }` in a .proof file) read as C: `int` is
   the mathematical integers (the front end writes it __math_int), u32, i32 and i64 are C's
   unsigned int, int and long. gcc's predefined macros apply, except the two that are not reserved
   identifiers (a program may name a variable linux or unix). */
#undef linux
#undef unix
typedef long long __math_int;
typedef unsigned u32;
typedef int i32;
typedef long i64;
