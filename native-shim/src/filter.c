/*
 * The command filter: sends client commands to the module command RAFT.
 *
 * Which commands are intercepted is decided in Java (commands/CommandTable) and
 * pushed here with rr_set_command_flags(); this file only looks names up, and sends
 * names it does not know to Java too. A command that is intercepted gets "RAFT"
 * inserted in front of it, so Redis runs the module command RAFT with the original
 * command as arguments.
 *
 * Commands the shim itself runs (g_internal_calls > 0: applying the log, local
 * reads, RAFT.DEBUG EXEC, and the commands of scripts those run) are not
 * intercepted. Instead, per the flags Java gave:
 *  - while a log entry is applied, keys they name whose logical deadline passed at
 *    the entry's time are deleted first (expiry.c), so every node sees the same keys;
 *  - commands Java must complete (deadlines, TTL replies, order-dependent replies read by
 *    a script, ...) go to RAFT._AS / RAFT._AS_RO (a write or read-only wrapper, so scripts keep
 *    their own checks);
 *  - nondeterministic commands are refused while a log entry is applied (first: they
 *    are neither run nor wrapped).
 * A client's SUBSCRIBE, SSUBSCRIBE or PSUBSCRIBE runs natively while this node serves
 * subscribers (the ready leader: only it publishes); otherwise it goes to
 * RAFT._REJECT_SUBSCRIBE, which answers the error Java set (MOVED, CLUSTERDOWN, ...).
 * On Redis 7.2 and later, whose filter names the client, a command flagged
 * CMD_QUEUED_IN_MULTI (PING, ECHO) is intercepted for clients in a transaction, so it is
 * queued with the rest as Redis would; Redis 7.0 runs it at once.
 * A raw call of the shim (g_raw_call set around its RedisModule_Call) is not touched
 * either; the commands it runs in turn (those of a script) are handled as above.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* Flags shared with Java (bridge/Shim.java). */
#define CMD_INTERCEPT 1
#define CMD_BY_SUBCOMMAND 2
#define CMD_NONDETERMINISTIC 4
#define CMD_WRAP 8            /* internal calls go through RAFT._AS */
#define CMD_WRAP_APPLYING 16  /* ... only while a log entry is applied */
#define CMD_WRAP_IF_ARG 32    /* ... only if an argument is one of the command's trigger words */
#define CMD_WRITE 64          /* wrapped as a write (RAFT._AS), else read-only (RAFT._AS_RO) */
#define CMD_UNKILLABLE 128    /* SCRIPT KILL and the like: refused while a log entry is applied */
#define CMD_WRAP_IN_SCRIPT 256 /* wrapped only while a log entry is applied and one of its scripts runs */
#define CMD_SUBSCRIBE 512     /* a client's subscription: native only while subscribers are served */
#define CMD_QUEUED_IN_MULTI 1024 /* not intercepted, except for a client in a transaction (Redis 7.2+) */

#define NAME_MAX_LEN 64
#define TRIGGERS_MAX_LEN 64
#define TABLE_SIZE 2048 /* power of two, comfortably above the ~250 commands (+ subcommands) */
#define STACK_ARGS 16

typedef struct Entry {
    char name[NAME_MAX_LEN];
    char triggers[TRIGGERS_MAX_LEN]; /* ",word,word," in lower case */
    int flags;
    int used;
} Entry;

static Entry table[TABLE_SIZE];
int g_internal_calls;
int g_raw_call;
int g_applying;

static uint32_t hash_name(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static Entry *find_slot(const char *name) {
    uint32_t i = hash_name(name) & (TABLE_SIZE - 1);
    while (table[i].used && strcmp(table[i].name, name) != 0) i = (i + 1) & (TABLE_SIZE - 1);
    return &table[i];
}

/* Lower-cases s[0..len) into out; returns 0 if it does not fit. */
static int lower_name(const char *s, size_t len, char *out, size_t outlen) {
    if (len + 1 > outlen) return 0;
    for (size_t i = 0; i < len; i++) out[i] = (char)tolower((unsigned char)s[i]);
    out[len] = '\0';
    return 1;
}

SHIM_EXPORT void rr_clear_command_flags(void) { memset(table, 0, sizeof(table)); }

/* Why this node does not take subscriptions now (malloc'ed), or NULL while it does. */
static char *subscribe_refusal;

/* Main thread: error to answer SUBSCRIBE and the like with, or NULL to let them run. */
SHIM_EXPORT void rr_set_subscribe_refusal(const char *error) {
    free(subscribe_refusal);
    subscribe_refusal = error ? strdup(error) : NULL;
}

const char *filter_subscribe_refusal(void) { return subscribe_refusal; }

/* name is "command" or "command|subcommand", lower case; triggers a comma-separated list (or ""). */
SHIM_EXPORT int rr_set_command_flags(const char *name, int flags, const char *triggers) {
    if (strlen(name) + 1 > NAME_MAX_LEN || strlen(triggers) + 3 > TRIGGERS_MAX_LEN) return RM_ERR;
    Entry *e = find_slot(name);
    if (!e->used) {
        strcpy(e->name, name);
        e->used = 1;
    }
    e->flags = flags;
    snprintf(e->triggers, sizeof(e->triggers), ",%s,", triggers);
    return RM_OK;
}

/* Clients in a transaction the module queues (a handful at a time: a plain array). */
static uint64_t *in_transaction;
static size_t in_transaction_count, in_transaction_cap;

/* Main thread: the client with this id entered (in = 1) or left (0) a transaction. */
SHIM_EXPORT void rr_set_in_transaction(int64_t client_id, int in) {
    for (size_t i = 0; i < in_transaction_count; i++) {
        if (in_transaction[i] == (uint64_t)client_id) {
            if (!in) in_transaction[i] = in_transaction[--in_transaction_count];
            return;
        }
    }
    if (!in || !RedisModule_CommandFilterGetClientId) return;
    if (in_transaction_count == in_transaction_cap) {
        size_t cap = in_transaction_cap ? 2 * in_transaction_cap : 16;
        uint64_t *grown = realloc(in_transaction, cap * sizeof(*grown));
        if (!grown) return;
        in_transaction = grown;
        in_transaction_cap = cap;
    }
    in_transaction[in_transaction_count++] = (uint64_t)client_id;
}

static int client_in_transaction(RedisModuleCommandFilterCtx *f) {
    if (in_transaction_count == 0 || !RedisModule_CommandFilterGetClientId) return 0;
    uint64_t id = RedisModule_CommandFilterGetClientId(f);
    for (size_t i = 0; i < in_transaction_count; i++) {
        if (in_transaction[i] == id) return 1;
    }
    return 0;
}

static const Entry unknown = {.flags = CMD_INTERCEPT};

static const Entry *lookup(RedisModuleCommandFilterCtx *f, int argc) {
    size_t len;
    const char *cmd = RedisModule_StringPtrLen(RedisModule_CommandFilterArgGet(f, 0), &len);
    char name[NAME_MAX_LEN];
    if (!lower_name(cmd, len, name, sizeof(name))) return NULL;
    Entry *e = find_slot(name);
    /* Unknown to the table (e.g. a command of a module loaded later): let Java look. */
    if (!e->used) return &unknown;
    if (!(e->flags & CMD_BY_SUBCOMMAND) || argc < 2) return e;

    size_t sublen;
    const char *sub = RedisModule_StringPtrLen(RedisModule_CommandFilterArgGet(f, 1), &sublen);
    size_t used = strlen(name);
    name[used] = '|';
    if (!lower_name(sub, sublen, name + used + 1, sizeof(name) - used - 1)) return e;
    Entry *s = find_slot(name);
    return s->used ? s : e;
}

/* Whether an argument after the command name is one of the entry's trigger words. */
static int has_trigger(const Entry *e, RedisModuleCommandFilterCtx *f, int argc) {
    for (int i = 1; i < argc; i++) {
        size_t len;
        const char *arg = RedisModule_StringPtrLen(RedisModule_CommandFilterArgGet(f, i), &len);
        char word[TRIGGERS_MAX_LEN];
        if (len == 0 || !lower_name(arg, len, word + 1, sizeof(word) - 2)) continue;
        word[0] = ',';
        strcat(word, ",");
        if (strstr(e->triggers, word)) return 1;
    }
    return 0;
}

/* Deletes the keys of the filtered command whose logical deadline passed at the applied entry's time. */
static void expire_due_keys(RedisModuleCommandFilterCtx *f, int argc) {
    RedisModuleString *stack[STACK_ARGS];
    RedisModuleString **argv = argc <= STACK_ARGS ? stack : malloc(sizeof(*argv) * (size_t)argc);
    for (int i = 0; i < argc; i++) argv[i] = RedisModule_CommandFilterArgGet(f, i);
    expiry_delete_due(argv, argc, g_apply_time);
    if (argv != stack) free(argv);
}

/* Redis takes ownership of inserted strings, so each insert gets a new one. */
static void insert_front(RedisModuleCommandFilterCtx *f, const char *name) {
    RedisModule_CommandFilterArgInsert(f, 0, RedisModule_CreateString(NULL, name, strlen(name)));
}

static void filter(RedisModuleCommandFilterCtx *f) {
    if (shim_in_fork_child()) return;
    if (g_raw_call) {
        g_raw_call = 0; /* this is the raw call's own command; the ones it runs are not raw */
        return;
    }
    int argc = RedisModule_CommandFilterArgsCount(f);
    if (argc < 1) return;
    const Entry *e = lookup(f, argc);
    if (!e) return;
    int flags = e->flags;
    if (g_internal_calls == 0) {
        if ((flags & CMD_SUBSCRIBE) && subscribe_refusal) insert_front(f, "RAFT._REJECT_SUBSCRIBE");
        else if ((flags & CMD_INTERCEPT) || ((flags & CMD_QUEUED_IN_MULTI) && client_in_transaction(f)))
            insert_front(f, "RAFT");
        return;
    }
    if (flags & CMD_UNKILLABLE) {
        /* Only a client sends these (during a busy script); a replicated script must end everywhere alike. */
        if (g_applying) insert_front(f, "RAFT._UNKILLABLE");
        return;
    }
    if (g_applying) {
        if (flags & CMD_NONDETERMINISTIC) {
            insert_front(f, "RAFT._REJECT_RANDOM");
            return;
        }
        expire_due_keys(f, argc);
    }
    int wrap = (flags & CMD_WRAP) || (g_applying && (flags & CMD_WRAP_APPLYING)) ||
               ((flags & CMD_WRAP_IF_ARG) && has_trigger(e, f, argc)) ||
               (g_applying && (flags & CMD_WRAP_IN_SCRIPT) && (RedisModule_GetContextFlags(g_ctx) & RM_CTX_FLAGS_LUA));
    if (wrap) insert_front(f, (flags & CMD_WRITE) ? "RAFT._AS" : "RAFT._AS_RO");
}

int filter_register(RedisModuleCtx *ctx) {
    return RedisModule_RegisterCommandFilter(ctx, filter, 0) ? RM_OK : RM_ERR;
}
