/*
 * Internal interfaces between the shim's C files. The shim is Redis glue only:
 * it boots the JVM, forwards Redis callbacks to Java (bridge.c), runs work Java
 * queues for the Redis main thread, executes replicated commands and owns the
 * fork/RDB plumbing of snapshots. Every decision is taken in Java.
 */
#ifndef REDISRAFT_SHIM_H
#define REDISRAFT_SHIM_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "rm_api.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* Detached context used for RM_Call, logging and config strings; created in OnLoad. */
extern RedisModuleCtx *g_ctx;
/* True in a fork child of redis-server (an RDB or AOF rewrite child): it must never touch Java. */
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
void bridge_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int security);
/* access: the command checked against the running unit's script user (ACL_OK or ACL_DENIED_*). */
void bridge_internal_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, long long now_ms, int applying,
                          int access);
void bridge_drain(void);
void bridge_info(RedisModuleInfoCtx *ictx);
void bridge_client_connected(uint64_t client_id);
void bridge_client_disconnected(uint64_t client_id);
/* > 0 while C is inside a call into Java (or Redis is processing events from inside one). */
int bridge_depth(void);
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
const char *filter_subscribe_refusal(void);
/* While > 0, commands are our own (apply path, local execution) and are not intercepted. */
extern int g_internal_calls;
/* Set just before a raw RedisModule_Call of the shim: the filter leaves that command alone (and clears it). */
extern int g_raw_call;
/*
 * RAW_CALL(RedisModule_Call(...)): a call of the shim's own that the filter leaves as it
 * is (the commands it runs in turn, e.g. those of a script, are filtered as usual).
 */
#define RAW_CALL(call) (g_raw_call = 1, raw_call_done(call))
static inline RedisModuleCallReply *raw_call_done(RedisModuleCallReply *reply) {
    g_raw_call = 0;
    return reply;
}
/* Set while replicated log entries are applied: nondeterministic commands are refused then. */
extern int g_applying;

/* exec.c */
int exec_register_commands(RedisModuleCtx *ctx);
/* The time (ms) of the log entry being applied; the time every node uses for expiry then. */
extern long long g_apply_time;
extern long long g_latest_entry_time;

/* expiry.c */
int expiry_delete_due(RedisModuleString **argv, int argc, long long now);
int expiry_any_due(RedisModuleString **argv, int argc, long long now);
int expiry_key_is_due(RedisModuleString *name, long long now);
long long expiry_now(void);

/* acl.c: results of access checks, shared with Java (security/Access.java). */
#define ACL_OK 0
#define ACL_DENIED_CMD 1
#define ACL_DENIED_KEY 2
#define ACL_DENIED_CHANNEL 3
/* Added to an ACL result passed to Java: the client's user is "default". */
#define SECURITY_DEFAULT_USER 4
int acl_check_client(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int *is_default);
int acl_check_unit_user(RedisModuleString **argv, int argc);
RedisModuleUser *acl_user_for_rules(const uint8_t *rules, size_t len);
/* The script user of the unit being executed, or NULL. */
extern RedisModuleUser *g_unit_user;

/* touched.c: where in the log keys last changed (for WATCH). */
/* The index of the log entry being applied (0 when not applying). */
extern long long g_apply_index;
int touched_register(RedisModuleCtx *ctx);
void touched_save(RedisModuleIO *io);
int touched_load(RedisModuleIO *io);
void touched_reset(void);

/* snapshot.c */
int snapshot_register_type(RedisModuleCtx *ctx);

#endif
