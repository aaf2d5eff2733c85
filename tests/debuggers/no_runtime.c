/* A program without the corosh runtime: the `coro` commands must refuse it. */
int main(void) { return 0; }
