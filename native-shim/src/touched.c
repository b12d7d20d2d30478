/*
 * Where in the log each key was last changed, for WATCH (see java watch/Watches).
 *
 * While a log entry is applied, every keyspace event Redis fires for a key (the same
 * events on every node, since every node runs the same commands at the same log
 * position) stamps the key's slot with the entry's index. Keys share 2^20 slots by
 * hash: two keys in one slot can only make a check say "changed" when it was not,
 * never the reverse. FLUSHDB, FLUSHALL and SWAPDB fire no per-key events; they stamp
 * the databases they empty or swap instead. Events outside the apply path (a load,
 * the leader's own reads) are not recorded: they do not happen on every node.
 *
 * The stamps are part of the replicated state, so they travel with snapshots, in the
 * Raft metadata of every RDB (snapshot.c).
 */
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define SLOT_BITS 20
#define SLOT_COUNT (1u << SLOT_BITS)

/* Keyspace event classes (REDISMODULE_NOTIFY_*) that mean a key changed. */
#define NOTIFY_GENERIC (1 << 2)
#define NOTIFY_STRING (1 << 3)
#define NOTIFY_LIST (1 << 4)
#define NOTIFY_SET (1 << 5)
#define NOTIFY_HASH (1 << 6)
#define NOTIFY_ZSET (1 << 7)
#define NOTIFY_EXPIRED (1 << 8)
#define NOTIFY_EVICTED (1 << 9)
#define NOTIFY_STREAM (1 << 10)
#define NOTIFY_MODULE (1 << 13)
#define NOTIFY_CHANGES \
    (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | \
     NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

/* Server events and their data (version 1 layouts of Redis 7.0). */
#define EVENT_FLUSHDB 2
#define EVENT_SWAPDB 11
#define SUBEVENT_FLUSHDB_START 0
typedef struct FlushInfo {
    uint64_t version;
    int32_t sync;
    int32_t dbnum; /* -1: every database */
} FlushInfo;
typedef struct SwapDbInfo {
    uint64_t version;
    int32_t first;
    int32_t second;
} SwapDbInfo;

long long g_apply_index;

/* Low 32 bits of the index of the last entry that changed a key of the slot; 0: never. */
static uint32_t *slots;
/* Index of the last entry that emptied or swapped each database, and every database. */
static uint64_t *db_stamps;
static int db_count;
static uint64_t all_dbs_stamp;

static uint32_t slot_of(int db, const char *key, size_t len) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uint32_t)db;
    for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)key[i]) * 1099511628211ULL;
    h ^= h >> 29;
    return (uint32_t)(h & (SLOT_COUNT - 1));
}

static void stamp_db(int db) {
    if (db < 0) {
        all_dbs_stamp = (uint64_t)g_apply_index;
        return;
    }
    if (db >= db_count) {
        uint64_t *grown = realloc(db_stamps, sizeof(uint64_t) * (size_t)(db + 1));
        if (!grown) {
            all_dbs_stamp = (uint64_t)g_apply_index; /* too coarse, never wrong */
            return;
        }
        memset(grown + db_count, 0, sizeof(uint64_t) * (size_t)(db + 1 - db_count));
        db_stamps = grown;
        db_count = db + 1;
    }
    db_stamps[db] = (uint64_t)g_apply_index;
}

/* A fresh zeroed table rather than memset: its pages stay unmapped until stamped. */
static void clear_slots(void) {
    free(slots);
    slots = calloc(SLOT_COUNT, sizeof(uint32_t));
}

static int recording(void) { return g_applying > 0 && g_apply_index > 0 && slots; }

static int on_keyspace_event(RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key) {
    (void)type;
    (void)event;
    if (!recording()) return RM_OK;
    size_t len;
    const char *name = RedisModule_StringPtrLen(key, &len);
    slots[slot_of(RedisModule_GetSelectedDb(ctx), name, len)] = (uint32_t)g_apply_index;
    return RM_OK;
}

static void on_flush(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    (void)ctx;
    (void)e;
    if (sub == SUBEVENT_FLUSHDB_START && recording()) stamp_db(((FlushInfo *)data)->dbnum);
}

static void on_swap(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    (void)ctx;
    (void)e;
    (void)sub;
    if (!recording()) return;
    SwapDbInfo *swap = data;
    stamp_db(swap->first);
    stamp_db(swap->second);
}

int touched_register(RedisModuleCtx *ctx) {
    clear_slots();
    RedisModuleEvent flush = {EVENT_FLUSHDB, 1};
    RedisModuleEvent swap = {EVENT_SWAPDB, 1};
    if (!slots || RedisModule_SubscribeToKeyspaceEvents(ctx, NOTIFY_CHANGES, on_keyspace_event) != RM_OK ||
        RedisModule_SubscribeToServerEvent(ctx, flush, on_flush) != RM_OK ||
        RedisModule_SubscribeToServerEvent(ctx, swap, on_swap) != RM_OK) {
        return RM_ERR;
    }
    return RM_OK;
}

/*
 * Main thread: what changed after log index since: bit 1 = the key (or a key sharing its
 * slot), bit 2 = its whole database was emptied or swapped.
 */
SHIM_EXPORT int rr_changed_since(int db, const char *key, int len, int64_t since) {
    int changed = 0;
    uint32_t stamp = slots ? slots[slot_of(db, key, (size_t)len)] : 0;
    /* Stamps keep 32 bits: compare as a distance, exact for the last 2^31 entries. */
    if (stamp != 0 && (int32_t)(stamp - (uint32_t)since) > 0) changed |= 1;
    uint64_t db_stamp = db >= 0 && db < db_count ? db_stamps[db] : 0;
    if ((int64_t)all_dbs_stamp > since || (int64_t)db_stamp > since) changed |= 2;
    return changed;
}

void touched_save(RedisModuleIO *io) {
    RedisModule_SaveUnsigned(io, all_dbs_stamp);
    RedisModule_SaveUnsigned(io, (uint64_t)db_count);
    for (int i = 0; i < db_count; i++) RedisModule_SaveUnsigned(io, db_stamps[i]);
    /* In host byte order, as nodes of one cluster share a platform; mostly zeros, which RDB compression shrinks. */
    RedisModule_SaveStringBuffer(io, slots ? (const char *)slots : "", slots ? SLOT_COUNT * sizeof(uint32_t) : 0);
}

int touched_load(RedisModuleIO *io) {
    uint64_t all = RedisModule_LoadUnsigned(io);
    uint64_t count = RedisModule_LoadUnsigned(io);
    if (RedisModule_IsIOError(io) || count > 1u << 20) return RM_ERR;
    uint64_t *stamps = calloc(count ? count : 1, sizeof(uint64_t));
    if (!stamps) return RM_ERR;
    for (uint64_t i = 0; i < count; i++) stamps[i] = RedisModule_LoadUnsigned(io);
    size_t len = 0;
    char *buf = RedisModule_LoadStringBuffer(io, &len);
    if (RedisModule_IsIOError(io) || !buf || (len != 0 && len != SLOT_COUNT * sizeof(uint32_t))) {
        if (buf) RedisModule_Free(buf);
        free(stamps);
        return RM_ERR;
    }
    clear_slots();
    if (slots && len) {
        /* Only stamped slots are written, so the others' pages stay unmapped. */
        const uint32_t *loaded = (const uint32_t *)buf;
        for (uint32_t i = 0; i < SLOT_COUNT; i++) {
            if (loaded[i]) slots[i] = loaded[i];
        }
    }
    RedisModule_Free(buf);
    free(db_stamps);
    db_stamps = stamps;
    db_count = (int)count;
    all_dbs_stamp = all;
    return RM_OK;
}

/* An RDB from before the stamps existed: nothing is known to have changed. */
void touched_reset(void) {
    clear_slots();
    free(db_stamps);
    db_stamps = NULL;
    db_count = 0;
    all_dbs_stamp = 0;
}
