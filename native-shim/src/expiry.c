/*
 * Key expiry decided by the Raft log instead of each node's clock.
 *
 * Every deadline Redis stores is the key's logical deadline plus g_expiry_shift (set
 * by Java: far beyond any clock), so Redis itself never expires a key, on any node.
 * A key is logically expired at time T when its stored deadline minus the shift is
 * before T. While a log entry is applied, T is the time the leader gave the entry, so
 * every node deletes the same keys at the same log position, whenever it applies it.
 *
 * The primitives here read and delete keys; when to call them is decided in Java and
 * in the apply path (filter.c, exec.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "shim.h"

long long g_expiry_shift;

SHIM_EXPORT void rr_set_expiry_shift(int64_t shift) { g_expiry_shift = shift; }

/* Redis's own clock: milliseconds of gettimeofday (what mstime() returns). */
static long long clock_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/*
 * The exact deadline Redis stores for an open key, or RM_NO_EXPIRE. RedisModule_GetExpire
 * reports it relative to Redis's clock, so the clock is read on both sides of the call
 * until it did not move: then the sum is exact (not off by the millisecond it ticked).
 */
static long long stored_deadline(RedisModuleKey *key) {
    for (;;) {
        long long before = clock_ms();
        long long remaining = RedisModule_GetExpire(key);
        long long after = clock_ms();
        if (remaining == RM_NO_EXPIRE) return RM_NO_EXPIRE;
        if (before == after) return remaining + before;
    }
}

static int is_due(long long stored, long long now) {
    return stored != RM_NO_EXPIRE && stored - g_expiry_shift < now;
}

/*
 * Whether the key exists and its logical deadline is before now. The key is opened for
 * writing because, in Redis 7.0, only that lookup leaves no trace: a read lookup counts a
 * keyspace hit or miss and fires a "keymiss" event (the module signals changes itself).
 */
int expiry_key_is_due(RedisModuleString *name, long long now) {
    RedisModuleKey *key = RedisModule_OpenKey(g_ctx, name, RM_WRITE | RM_OPEN_KEY_NOTOUCH);
    if (!key) return 0;
    int due = RedisModule_KeyType(key) != RM_KEYTYPE_EMPTY && is_due(stored_deadline(key), now);
    RedisModule_CloseKey(key);
    return due;
}

/* Deletes a key as Redis deletes an expired one: watchers and keyspace listeners are told. */
static void delete_expired(RedisModuleString *name) {
    RedisModuleKey *key = RedisModule_OpenKey(g_ctx, name, RM_WRITE | RM_OPEN_KEY_NOTOUCH);
    if (!key) return;
    RedisModule_DeleteKey(key);
    RedisModule_CloseKey(key);
    RedisModule_SignalModifiedKey(g_ctx, name);
    RedisModule_NotifyKeyspaceEvent(g_ctx, RM_NOTIFY_EXPIRED, "expired", name);
}

/* Finds the keys of a command that are logically expired at now, deleting them (delete)
 * or stopping at the first (not delete). Returns whether there was one. */
static int for_each_key(RedisModuleString **argv, int argc, long long now, int delete) {
    int count = 0;
    int *positions = RedisModule_GetCommandKeys(g_ctx, argv, argc, &count);
    if (!positions) return 0;
    int found = 0;
    for (int i = 0; i < count; i++) {
        RedisModuleString *name = argv[positions[i]];
        if (!expiry_key_is_due(name, now)) continue;
        found = 1;
        if (!delete) break;
        delete_expired(name);
    }
    RedisModule_Free(positions);
    return found;
}

int expiry_delete_due(RedisModuleString **argv, int argc, long long now) {
    return for_each_key(argv, argc, now, 1);
}

int expiry_any_due(RedisModuleString **argv, int argc, long long now) {
    return for_each_key(argv, argc, now, 0);
}

long long expiry_now(void) {
    long long now = clock_ms();
    return now > g_latest_entry_time ? now : g_latest_entry_time;
}

/* ---- Finding expired keys for the leader's sweep ---- */

typedef struct Found {
    char *buf; /* RESP array body: bulk strings */
    size_t len, cap;
    int keys;
    int visited;
    long long now;
} Found;

static void append(Found *f, const char *p, size_t n) {
    if (f->len + n > f->cap) {
        f->cap = (f->len + n) * 2 + 256;
        f->buf = realloc(f->buf, f->cap);
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
}

static void on_scanned(RedisModuleCtx *ctx, RedisModuleString *name, RedisModuleKey *key, void *privdata) {
    (void)ctx;
    Found *f = privdata;
    f->visited++;
    if (!key || !is_due(stored_deadline(key), f->now)) return;
    size_t n;
    const char *p = RedisModule_StringPtrLen(name, &n);
    char header[32];
    int h = snprintf(header, sizeof(header), "$%zu\r\n", n);
    append(f, header, (size_t)h);
    append(f, p, n);
    append(f, "\r\n", 2);
    f->keys++;
}

static RedisModuleScanCursor *sweep_cursor;
static int sweep_db = -1;

/*
 * Whether database db holds any key with a deadline. Redis counts them (the "expires"
 * of INFO keyspace); without any, a sweep would open every key for nothing, which under
 * write load cost the leader's main thread about a fifth of its apply time.
 */
static int has_deadlines(int db) {
    RedisModuleServerInfoData *info = RedisModule_GetServerInfo(g_ctx, "keyspace");
    if (!info) return 1;
    char field[32];
    snprintf(field, sizeof(field), "db%d", db);
    const char *line = RedisModule_ServerInfoGetFieldC(info, field); /* keys=..,expires=..,avg_ttl=.. */
    const char *expires = line ? strstr(line, "expires=") : NULL;
    int any = expires != NULL && strtoll(expires + strlen("expires="), NULL, 10) > 0;
    RedisModule_FreeServerInfo(g_ctx, info);
    return any;
}

/*
 * Main thread: continues a scan of database db over at least `budget` keys and returns,
 * as a RESP array (malloc'ed, release with rr_free), whether the scan of that database
 * is complete (:1, also when it has no deadlines or does not exist) and the keys whose
 * logical deadline is before now: *2 :done *n keys. A scan of another database than
 * the last one starts from its beginning.
 */
SHIM_EXPORT char *rr_scan_due_keys(int db, int budget, int64_t now, int *out_len) {
    if (!sweep_cursor) sweep_cursor = RedisModule_ScanCursorCreate();
    if (db != sweep_db) {
        RedisModule_ScanCursorRestart(sweep_cursor);
        sweep_db = db;
    }
    Found f = {.now = now};
    int done = 1;
    if (has_deadlines(db) && RedisModule_SelectDb(g_ctx, db) == RM_OK) {
        done = 0;
        while (f.visited < budget) {
            if (!RedisModule_Scan(g_ctx, sweep_cursor, on_scanned, &f)) {
                RedisModule_ScanCursorRestart(sweep_cursor);
                done = 1;
                break;
            }
        }
        RedisModule_SelectDb(g_ctx, 0);
    }
    char header[48];
    int h = snprintf(header, sizeof(header), "*2\r\n:%d\r\n*%d\r\n", done, f.keys);
    char *out = malloc((size_t)h + f.len + 1);
    memcpy(out, header, (size_t)h);
    if (f.len) memcpy(out + h, f.buf, f.len);
    free(f.buf);
    *out_len = h + (int)f.len;
    return out;
}
