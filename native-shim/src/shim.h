/*
 * Internal interfaces between the shim's C files. The shim is Redis glue only:
 * it boots the JVM, forwards Redis callbacks to Java (bridge.c), runs work Java
 * queues for the Redis main thread, executes replicated commands and owns the
 * fork/RDB plumbing of snapshots. Every decision is taken in Java.
 */
#ifndef REDISRAFT_SHIM_H
#define REDISRAFT_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "rm_api.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* Detached context used for RM_Call, logging and config strings; created in OnLoad. */
extern RedisModuleCtx *g_ctx;
/* Pid of the redis-server process; anything else is a fork child that must never touch Java. */
extern int g_main_pid;
int shim_in_fork_child(void);

/* Logging: level is one of "debug", "verbose", "notice", "warning". */
void shim_logf(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* jvm.c */
int jvm_boot(const char *java_home, const char *jvm_options, const char *classpath, char *err, size_t errlen);
int jvm_is_running(void);

/* bridge.c: calls from C into the Java bridge class. All run on the Redis main thread. */
int bridge_init(char *err, size_t errlen);
int bridge_boot(const char *shim_path, char *err, size_t errlen);
int bridge_configs_loaded(char *err, size_t errlen);
char *bridge_config_set(int id, const char *value); /* error message (malloc'ed) or NULL */
char *bridge_config_get(int id);                   /* value (malloc'ed) or NULL */
void bridge_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
void bridge_drain(void);
void bridge_info(RedisModuleInfoCtx *ictx);
void bridge_client_disconnected(uint64_t client_id);
void bridge_server_ready(void);
void bridge_shutdown(void);
void bridge_fork_done(int exitcode, int bysignal);

/* config.c */
int boot_configs_register(RedisModuleCtx *ctx);
const char *boot_config_java_home(void);
const char *boot_config_jvm_options(void);
void boot_configs_freeze(void);
int config_registration_begin(RedisModuleCtx *ctx);
void config_registration_end(void);

/* mainqueue.c */
int mainqueue_is_draining(void);

/* filter.c */
int filter_register(RedisModuleCtx *ctx);
/* While > 0, commands are our own (apply path, local execution) and pass the filter untouched. */
extern int g_internal_calls;
/* Set while replicated log entries are applied: nondeterministic commands are refused then. */
extern int g_applying;

/* exec.c */
int exec_register_commands(RedisModuleCtx *ctx);

/* snapshot.c */
int snapshot_register_type(RedisModuleCtx *ctx);

#endif
