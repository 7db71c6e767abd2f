/* log.h — one logger, to stderr, printf-checked. Never pass it secrets or
 * payloads. LOG_DEBUG compiles out unless built with -DFERRY_DEBUG. */
#ifndef FERRY_CORE_LOG_H
#define FERRY_CORE_LOG_H

enum { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

extern int log_level;

void log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "error", "warn", "info", "debug" → level, or -1. */
int log_level_parse(const char *s);

#define LOG_ERROR(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define LOG_WARN(...)  log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_INFO(...)  log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#ifdef FERRY_DEBUG
#define LOG_DEBUG(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#else
#define LOG_DEBUG(...) ((void)0)
#endif

#endif
