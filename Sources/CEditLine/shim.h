// libedit's readline-compatible interface. Swift 6 rejects direct writes to
// imported C globals, so the REPL sets them through the inline setters below.
#include <stdio.h>
#include <editline/readline.h>

static inline void llmlab_set_completion_function(rl_completion_func_t *fn) {
  rl_attempted_completion_function = fn;
}
static inline void llmlab_set_completion_append_character(int c) {
  rl_completion_append_character = c;
}
static inline void llmlab_set_basic_word_break_characters(const char *chars) {
  rl_basic_word_break_characters = (char *)chars;
}
static inline void llmlab_set_attempted_completion_over(int over) {
  rl_attempted_completion_over = over;
}
static inline void llmlab_set_catch_signals(int on) { rl_catch_signals = on; }
static inline void llmlab_set_readline_name(const char *name) { rl_readline_name = name; }
static inline const char *llmlab_line_buffer(void) { return rl_line_buffer; }
static inline int llmlab_point(void) { return rl_point; }
static inline void llmlab_set_getc_function(int (*fn)(FILE *)) { rl_getc_function = fn; }
