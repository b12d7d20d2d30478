/*
 * Module entry point: RedisModule_OnLoad boots the JVM and wires Redis callbacks
 * to Java. Load order:
 *   1. boot options (raft.java-home, raft.jvm-options) are registered and loaded;
 *   2. the JVM is created with the module jar that sits next to this library;
 *   3. Java declares the remaining raft.* options and they are loaded;
 *   4. module commands and the RDB aux type are registered, then Java checks the
 *      environment (cluster mode, persistence settings, ...) and reads COMMAND;
 *   5. the command filter, INFO and server events are registered.
 * Any failure logs one line and makes the module refuse to load.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#define MODULE_NAME "raft"
#define MODULE_VERSION 1
#define JAR_NAME "redisraft-java.jar"

RedisModuleCtx *g_ctx;

/* Set in a fork child by the pthread_atfork handler. A flag rather than getpid(): the
 * filter and the bridge ask on every command, and getpid() is a system call each time. */
static volatile int g_in_fork_child;

static void mark_fork_child(void) { g_in_fork_child = 1; }

int shim_in_fork_child(void) { return g_in_fork_child; }

void shim_logf(const char *level, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (RedisModule_Log) RedisModule_Log(g_ctx, level, "%s", line);
    else fprintf(stderr, "<raft> %s\n", line);
}

/* Thread-safe: Java's log lines. level: 0 debug, 1 verbose, 2 notice, 3 warning. */
SHIM_EXPORT void rr_log(int level, const char *msg) {
    static const char *names[] = {"debug", "verbose", "notice", "warning"};
    if (level < 0 || level > 3) level = 3;
    RedisModule_Log(g_ctx, names[level], "%s", msg);
}

/* ---- INFO ---- */

static void on_info(RedisModuleInfoCtx *ictx, int for_crash_report) {
    /* A crash report may come from a crash inside the JVM: do not call into it. */
    if (for_crash_report) return;
    bridge_info(ictx);
}

SHIM_EXPORT void rr_info_section(int64_t ictx, const char *name) {
    RedisModule_InfoAddSection((RedisModuleInfoCtx *)(intptr_t)ictx, name);
}

SHIM_EXPORT void rr_info_field(int64_t ictx, const char *name, const char *value) {
    RedisModule_InfoAddFieldCString((RedisModuleInfoCtx *)(intptr_t)ictx, name, value);
}

/* ---- Server events ---- */

static void on_client_change(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    (void)ctx;
    (void)e;
    uint64_t id = ((RedisModuleClientInfoV1 *)data)->id;
    if (sub == RM_SUBEVENT_CLIENT_CHANGE_CONNECTED) bridge_client_connected(id);
    else if (sub == RM_SUBEVENT_CLIENT_CHANGE_DISCONNECTED) bridge_client_disconnected(id);
}

static void on_shutdown(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    (void)ctx;
    (void)e;
    (void)sub;
    (void)data;
    bridge_shutdown();
}

/* Fires from the event loop's first iteration, i.e. after Redis loaded its RDB. */
static void on_server_ready(RedisModuleCtx *ctx, void *data) {
    (void)ctx;
    (void)data;
    bridge_server_ready();
}

static int register_events(RedisModuleCtx *ctx) {
    RedisModuleEvent client_change = {RM_EVENT_CLIENT_CHANGE, 1};
    RedisModuleEvent shutdown = {RM_EVENT_SHUTDOWN, 1};
    if (RedisModule_SubscribeToServerEvent(ctx, client_change, on_client_change) != RM_OK ||
        RedisModule_SubscribeToServerEvent(ctx, shutdown, on_shutdown) != RM_OK) {
        return RM_ERR;
    }
    RedisModule_CreateTimer(ctx, 0, on_server_ready, NULL);
    return RM_OK;
}

/* ---- OnLoad ---- */

/* Absolute path of this shared library; Java binds its exports through it. */
static int own_path(char *out, size_t outlen) {
    Dl_info info;
    if (!dladdr((void *)own_path, &info) || !info.dli_fname) return RM_ERR;
    char resolved[PATH_MAX];
    if (!realpath(info.dli_fname, resolved)) return RM_ERR;
    snprintf(out, outlen, "%s", resolved);
    return RM_OK;
}

static int refuse(const char *what, const char *detail) {
    shim_logf("warning", "refusing to load: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
    return RM_ERR;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) SHIM_EXPORT;
int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (rm_api_init(ctx, MODULE_NAME, MODULE_VERSION) != RM_OK) {
        fprintf(stderr, "<raft> refusing to load: this Redis lacks module APIs the shim needs (Redis 7.0+)\n");
        return RM_ERR;
    }
    pthread_atfork(NULL, NULL, mark_fork_child);
    /* Keys are opened for writing only to look at them quietly (expiry.c); a real change is signalled there. */
    RedisModule_SetModuleOptions(ctx, RM_OPTION_NO_IMPLICIT_SIGNAL_MODIFIED);
    g_ctx = RedisModule_GetDetachedThreadSafeContext(ctx);

    if (jvm_is_running()) {
        /* HotSpot cannot be created twice in one process (MODULE UNLOAD + LOAD). */
        return refuse("the JVM of a previous load is still in this process", "restart redis-server");
    }
    char err[1024];
    char shim_path[PATH_MAX];
    if (own_path(shim_path, sizeof(shim_path)) != RM_OK) return refuse("cannot determine the module's path", NULL);
    char dir_buf[PATH_MAX];
    snprintf(dir_buf, sizeof(dir_buf), "%s", shim_path);
    char jar[PATH_MAX + 32];
    snprintf(jar, sizeof(jar), "%s/%s", dirname(dir_buf), JAR_NAME);
    if (access(jar, R_OK) != 0) return refuse("the module jar is missing", jar);

    /* Once a JVM exists it holds pointers into this library (hooks, bound functions),
     * so the library must never be unmapped, even if this load fails. */
    if (!dlopen(shim_path, RTLD_NOW | RTLD_NODELETE)) return refuse("cannot pin the module library", dlerror());

    if (boot_configs_register(ctx) != RM_OK) return refuse("cannot load raft.java-home / raft.jvm-options", NULL);
    if (jvm_boot(boot_config_java_home(), boot_config_jvm_options(), jar, err, sizeof(err)) != RM_OK) {
        return refuse("cannot start the JVM", err);
    }
    boot_configs_freeze();
    if (bridge_init(err, sizeof(err)) != RM_OK) return refuse("cannot bind the Java bridge", err);

    config_registration_begin(ctx);
    int booted = bridge_boot(shim_path, err, sizeof(err));
    config_registration_end();
    if (booted != RM_OK) return refuse("Java initialisation failed", err);
    if (RedisModule_LoadConfigs(ctx) != RM_OK) return refuse("invalid raft.* configuration (see above)", NULL);
    /* Commands first: Java reads the COMMAND table, which must list them. */
    if (exec_register_commands(ctx) != RM_OK) return refuse("cannot register commands", NULL);
    if (snapshot_register_type(ctx) != RM_OK) return refuse("cannot register the RDB metadata type", NULL);
    if (bridge_configs_loaded(err, sizeof(err)) != RM_OK) return refuse(err, NULL);

    if (filter_register(ctx) != RM_OK) return refuse("cannot register the command filter", NULL);
    if (RedisModule_RegisterInfoFunc(ctx, on_info) != RM_OK) return refuse("cannot register INFO", NULL);
    if (register_events(ctx) != RM_OK) return refuse("cannot subscribe to server events", NULL);
    if (touched_register(ctx) != RM_OK) return refuse("cannot subscribe to keyspace events", NULL);
    return RM_OK;
}
