/*
 * RDB plumbing for snapshots.
 *
 * Raft metadata travels inside every RDB the server writes, as the aux record of
 * the module data type "raftstate": last applied index and term, plus an opaque
 * blob Java maintains (cluster id, node id, membership). Because the record is
 * written by whatever process writes the RDB -- often a fork child, which must not
 * touch the JVM -- the shim keeps its own copy, updated on the main thread after
 * every apply, and Java reads back what was loaded.
 *
 * A snapshot is taken by forking (RM_Fork) between two applies; the child chdir()s
 * into a staging directory and runs SAVE, which writes <staging>/<dbfilename>.
 * Loading one into a running server is DEBUG RELOAD NOSAVE, which Java only issues
 * after it has verified the file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* 1: index, term, blob. 2: also where keys last changed (touched.c). */
#define AUX_ENCODING_VERSION 2
/* Exit code of a snapshot child that failed because raft.snapshot-fail asked it to. */
#define SNAPSHOT_CHILD_FAILED_ON_PURPOSE 2

typedef struct RaftMetadata {
    uint64_t index;
    uint64_t term;
    char *blob;
    size_t blob_len;
} RaftMetadata;

static RaftMetadata current;      /* what the next RDB will say */
static RaftMetadata loaded;       /* what the last loaded RDB said */
static int loaded_present;

static void set_blob(RaftMetadata *m, const char *blob, size_t len) {
    free(m->blob);
    m->blob = malloc(len ? len : 1);
    if (len) memcpy(m->blob, blob, len);
    m->blob_len = len;
}

static void aux_save(RedisModuleIO *io, int when) {
    (void)when;
    RedisModule_SaveUnsigned(io, current.index);
    RedisModule_SaveUnsigned(io, current.term);
    RedisModule_SaveStringBuffer(io, current.blob ? current.blob : "", current.blob_len);
    touched_save(io);
}

static int aux_load(RedisModuleIO *io, int encver, int when) {
    (void)when;
    if (encver < 1 || encver > AUX_ENCODING_VERSION) {
        shim_logf("warning", "RDB holds Raft metadata of unknown version %d", encver);
        return RM_ERR;
    }
    uint64_t index = RedisModule_LoadUnsigned(io);
    uint64_t term = RedisModule_LoadUnsigned(io);
    size_t len = 0;
    char *blob = RedisModule_LoadStringBuffer(io, &len);
    if (RedisModule_IsIOError(io) || (encver >= 2 ? touched_load(io) : (touched_reset(), RM_OK)) != RM_OK) {
        if (blob) RedisModule_Free(blob);
        return RM_ERR;
    }
    loaded.index = index;
    loaded.term = term;
    set_blob(&loaded, blob, len);
    RedisModule_Free(blob);
    loaded_present = 1;
    /* The dataset now is the one of the RDB: the next RDB must say so too. */
    current.index = index;
    current.term = term;
    set_blob(&current, loaded.blob, loaded.blob_len);
    return RM_OK;
}

/* Never called: the type only carries aux data and no key ever holds it. */
static void *no_rdb_load(RedisModuleIO *io, int encver) {
    (void)io;
    (void)encver;
    return NULL;
}
static void no_rdb_save(RedisModuleIO *io, void *value) {
    (void)io;
    (void)value;
}
static void no_free(void *value) { (void)value; }

int snapshot_register_type(RedisModuleCtx *ctx) {
    RedisModuleTypeMethods methods;
    memset(&methods, 0, sizeof(methods));
    methods.version = RM_TYPE_METHOD_VERSION;
    methods.rdb_load = no_rdb_load;
    methods.rdb_save = no_rdb_save;
    methods.free = no_free;
    methods.aux_load = aux_load;
    methods.aux_save = aux_save;
    methods.aux_save_triggers = RM_AUX_BEFORE_RDB;
    return RedisModule_CreateDataType(ctx, "raftstate", AUX_ENCODING_VERSION, &methods) ? RM_OK : RM_ERR;
}

/* Main thread, after each applied entry. */
SHIM_EXPORT void rr_set_applied(int64_t index, int64_t term) {
    current.index = (uint64_t)index;
    current.term = (uint64_t)term;
}

/* Main thread, whenever the cluster metadata changes. */
SHIM_EXPORT void rr_set_metadata_blob(const char *blob, int len) { set_blob(&current, blob, (size_t)len); }

/* Main thread: what the last loaded RDB carried. Returns 0 if no RDB with Raft
 * metadata was loaded; the blob stays owned by the shim. */
SHIM_EXPORT int rr_loaded_metadata(int64_t *index, int64_t *term, const char **blob, int *len) {
    if (!loaded_present) return 0;
    *index = (int64_t)loaded.index;
    *term = (int64_t)loaded.term;
    *blob = loaded.blob;
    *len = (int)loaded.blob_len;
    return 1;
}

static void on_fork_done(int exitcode, int bysignal, void *data) {
    (void)data;
    bridge_fork_done(exitcode, bysignal);
}

/* Main thread: forks a child that writes <staging_dir>/<dbfilename>. Returns the
 * child pid, or -1 (e.g. another child is running). Test hooks: the child waits
 * delay_secs first (raft.snapshot-delay); with fail, it fails (raft.snapshot-fail). */
SHIM_EXPORT int rr_fork_snapshot(const char *staging_dir, int delay_secs, int fail) {
    int pid = RedisModule_Fork(on_fork_done, NULL);
    if (pid != 0) return pid;

    /* Child: only Redis C code from here on, then _exit through ExitFromChild. */
    int ok = 0;
    if (delay_secs > 0) sleep((unsigned)delay_secs);
    if (fail) RedisModule_ExitFromChild(SNAPSHOT_CHILD_FAILED_ON_PURPOSE);
    if (chdir(staging_dir) == 0) {
        /* The filter does nothing in a fork child. */
        RedisModuleCallReply *reply = RedisModule_Call(g_ctx, "SAVE", "E");
        ok = reply && RedisModule_CallReplyType(reply) != RM_REPLY_ERROR;
    }
    RedisModule_ExitFromChild(ok ? 0 : 1);
    return -1; /* not reached */
}

SHIM_EXPORT int rr_kill_fork_child(int pid) { return RedisModule_KillForkChild(pid); }

/* Main thread: replaces the dataset with <dir>/<dbfilename>. Redis empties the
 * dataset before loading, so Java verifies the file first. Returns 0 on success. */
SHIM_EXPORT int rr_reload_rdb(void) {
    loaded_present = 0;
    RedisModuleCallReply *reply = RAW_CALL(RedisModule_Call(g_ctx, "DEBUG", "cc", "RELOAD", "NOSAVE"));
    int ok = reply && RedisModule_CallReplyType(reply) != RM_REPLY_ERROR;
    if (!ok && reply) {
        size_t len;
        const char *msg = RedisModule_CallReplyStringPtr(reply, &len);
        shim_logf("warning", "DEBUG RELOAD failed: %.*s", (int)len, msg ? msg : "");
    }
    if (reply) RedisModule_FreeCallReply(reply);
    return ok ? 0 : -1;
}
