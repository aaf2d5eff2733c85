// A shared library with no corosh declarations in it.
extern "C" [[gnu::visibility("default")]] int answer() { return 42; }
