/*
 * Module commands, command execution and replies.
 *
 * All module commands (RAFT, RAFT.CLUSTER, ...) go straight to Java. Java answers
 * either at once (rr_reply_resp) or blocks the client (rr_block_client) and
 * answers later: with a reply it built itself (rr_unblock_resp) or with the
 * replies of commands the shim executes for it (rr_execute).
 *
 * Command batches use the layout Java writes (bridge/CommandCodec.java), all
 * integers little-endian:
 *   unit    := u8 flags, [u32 db], [rules], u32 command count, command*
 *   rules   := u32 length, u32 rule count, (u32 length, bytes)*   (if UNIT_AS_USER)
 *   command := u32 argc, (u32 length, bytes)*
 * flags: UNIT_TRANSACTION = the replies form one array (MULTI/EXEC),
 *        UNIT_RESP3 = the client speaks RESP3,
 *        UNIT_AS_USER = the commands run under a user with these ACL rules,
 *        UNIT_DB = the commands run in this database (else database 0),
 *        UNIT_CONDITIONAL = the first command is a check (WATCH): unless it answers
 *        +OK, its reply is the unit's and the other commands are skipped; if it does,
 *        it is left out of the unit's replies,
 *        UNIT_GUARDED = the first command is a check of the same kind, of the keys' hash
 *        slot (sharding); a WATCH check (UNIT_CONDITIONAL) then comes second,
 *        UNIT_MAY_WAIT = a client's blocking command: if its client waits on this node
 *        and Java answers it with PARKED_REPLY, the client stays blocked (Java's
 *        blocking/Waiters owns it from then on) and its target is left in targets[].
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "shim.h"

#define UNIT_TRANSACTION 1
#define UNIT_RESP3 2
#define UNIT_AS_USER 4
#define UNIT_DB 8
#define UNIT_MAY_WAIT 16
#define UNIT_CONDITIONAL 32
#define UNIT_GUARDED 64

/* The error Java answers a blocking command with when its client is to keep waiting. */
#define PARKED_REPLY "RAFTPARKED"

#define EXEC_APPLYING 1 /* the batch is a committed log entry */
#define EXEC_DIRECT 2   /* targets are live command contexts, not blocked clients */

long long g_apply_time;
/* The latest time of an entry applied here: "now" never goes back behind the log (expiry_now). */
long long g_latest_entry_time;
/* raft.log-delay-apply (microseconds): a test hook that slows every applied unit down. */
static long long apply_delay_us;

SHIM_EXPORT void rr_set_apply_delay(int64_t microseconds) { apply_delay_us = microseconds; }

/* While a UNIT_MAY_WAIT unit runs for a client waiting on this node (see rr_unit_may_wait). */
static int unit_may_wait;

SHIM_EXPORT int rr_unit_may_wait(void) { return unit_may_wait; }

typedef struct Reply {
    char *resp; /* a reply built by Java, in RESP, or NULL */
    size_t resp_len;
    int as_array;
    int count;
    RedisModuleCallReply **calls;
    int select_db; /* the database a SELECT in the unit (RAFT._SELECT) chose, for its client; -1: none */
} Reply;

/* The database the last RAFT._SELECT of the running unit chose (-1: none). */
static int unit_selected_db = -1;

/* ---- Freeing replies ---- */

/*
 * Redis 7.2's RedisModule_FreeCallReply parses the whole reply first, recursively, one
 * stack frame per level of nesting: a script returning a table nested thousands deep
 * (Redis's "Script return recursive object" test) overflowed the main thread's stack and
 * killed redis-server. Such a reply is freed on a thread with a large stack while the
 * main thread waits for it, so nothing else runs meanwhile. Redis 7.0 frees a reply
 * without parsing it: there nothing is checked.
 */
#define DEEP_REPLY_LEVELS 64
#define DEEP_REPLY_STACK (256u << 20)

/* Whether the RESP reply in proto nests more than DEEP_REPLY_LEVELS deep (read without recursion). */
static int reply_is_deep(const char *proto, size_t len) {
    /* Each level takes at least 4 bytes ("*1\r\n"): a short reply cannot be deep. */
    if (len < 4 * DEEP_REPLY_LEVELS) return 0;
    long long left[DEEP_REPLY_LEVELS + 1]; /* elements still to read at each open level */
    int depth = 0;
    const char *p = proto, *end = proto + len;
    while (p < end) {
        char type = *p;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) return 0;
        long long n = strtoll(p + 1, NULL, 10);
        p = eol + 1;
        long long children = 0;
        switch (type) {
        case '*': case '~': case '>': children = n; break;
        case '%': children = 2 * n; break;
        case '|': children = 2 * n + 1; break; /* its pairs, then the value it describes */
        case '$': case '=': case '!':
            if (n > 0) p += n + 2;
            break;
        default: break;
        }
        if (children > 0) {
            if (depth == DEEP_REPLY_LEVELS) return 1;
            left[depth++] = children;
            continue;
        }
        while (depth > 0 && --left[depth - 1] == 0) depth--;
    }
    return 0;
}

static void *free_reply_thread(void *reply) {
    RedisModule_FreeCallReply(reply);
    return NULL;
}

static void free_call_reply(RedisModuleCallReply *reply) {
    if (!reply) return;
    static int free_parses = -1; /* Redis 7.2 on: 0x00MMmmpp */
    if (free_parses < 0) free_parses = RedisModule_GetServerVersion() >= 0x00070200;
    size_t len = 0;
    const char *proto = free_parses ? RedisModule_CallReplyProto(reply, &len) : NULL;
    if (proto && reply_is_deep(proto, len)) {
        pthread_attr_t attr;
        pthread_t thread;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, DEEP_REPLY_STACK);
        int started = pthread_create(&thread, &attr, free_reply_thread, reply) == 0;
        pthread_attr_destroy(&attr);
        if (started) {
            pthread_join(thread, NULL);
            return;
        }
        RedisModule_Log(g_ctx, "warning", "<raft> could not start a thread to free a deeply nested reply: leaking it");
        return;
    }
    RedisModule_FreeCallReply(reply);
}

/* ---- Writing replies ---- */

static void reply_free(Reply *r) {
    if (!r) return;
    for (int i = 0; i < r->count; i++) {
        free_call_reply(r->calls[i]);
    }
    free(r->calls);
    free(r->resp);
    free(r);
}

/* Parses one RESP value from Java (simple types and arrays only) and writes it
 * with the module reply API. Returns the position after it, or NULL if malformed. */
static const char *write_resp(RedisModuleCtx *ctx, const char *p, const char *end) {
    if (p >= end) return NULL;
    const char *eol = memchr(p, '\r', (size_t)(end - p));
    if (!eol || eol + 1 >= end) return NULL;
    char type = *p;
    size_t line_len = (size_t)(eol - p - 1);
    char line[64];
    const char *next = eol + 2;
    switch (type) {
    case '+':
    case '-': {
        char *text = strndup(p + 1, line_len);
        if (type == '+') RedisModule_ReplyWithSimpleString(ctx, text);
        else RedisModule_ReplyWithError(ctx, text);
        free(text);
        return next;
    }
    case ':':
    case '$':
    case '*':
    case '%':
        if (line_len >= sizeof(line)) return NULL;
        memcpy(line, p + 1, line_len);
        line[line_len] = '\0';
        break;
    default:
        return NULL;
    }
    long long n = strtoll(line, NULL, 10);
    if (type == ':') {
        RedisModule_ReplyWithLongLong(ctx, n);
        return next;
    }
    if (type == '$') {
        if (n < 0) {
            RedisModule_ReplyWithNull(ctx);
            return next;
        }
        if (next + n + 2 > end) return NULL;
        RedisModule_ReplyWithStringBuffer(ctx, next, (size_t)n);
        return next + n + 2;
    }
    if (n < 0) {
        RedisModule_ReplyWithNullArray(ctx);
        return next;
    }
    if (type == '%') {
        /* Java sends maps only to RESP3 callers (rr_context_flags). */
        RedisModule_ReplyWithMap(ctx, (long)n);
        n *= 2;
    } else {
        RedisModule_ReplyWithArray(ctx, (long)n);
    }
    for (long long i = 0; i < n && next; i++) next = write_resp(ctx, next, end);
    return next;
}

static void write_call_reply(RedisModuleCtx *ctx, RedisModuleCallReply *reply) {
    if (!reply) {
        RedisModule_ReplyWithError(ctx, "ERR command could not be executed");
    } else if (RedisModule_ReplyWithCallReply(ctx, reply) != RM_OK) {
        RedisModule_ReplyWithError(ctx, "ERR reply cannot be sent with this protocol version");
    }
}

static void reply_write(RedisModuleCtx *ctx, Reply *r) {
    /* Its client keeps the database the transaction selected, as after Redis's own EXEC. */
    if (r->select_db >= 0) RedisModule_SelectDb(ctx, r->select_db);
    if (r->resp) {
        if (!write_resp(ctx, r->resp, r->resp + r->resp_len)) {
            shim_logf("warning", "malformed reply from Java");
        }
        return;
    }
    if (r->as_array) RedisModule_ReplyWithArray(ctx, r->count);
    for (int i = 0; i < r->count; i++) write_call_reply(ctx, r->calls[i]);
}

static int on_unblocked(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    Reply *r = RedisModule_GetBlockedClientPrivateData(ctx);
    if (r) reply_write(ctx, r);
    return RM_OK;
}

static void on_unblocked_free(RedisModuleCtx *ctx, void *privdata) {
    (void)ctx;
    reply_free(privdata);
}

static Reply *resp_reply(const char *resp, int len) {
    Reply *r = calloc(1, sizeof(*r));
    r->select_db = -1;
    r->resp = malloc((size_t)len);
    memcpy(r->resp, resp, (size_t)len);
    r->resp_len = (size_t)len;
    return r;
}

/* Main thread, inside a module command: keep the client waiting for a later reply. */
SHIM_EXPORT int64_t rr_block_client(int64_t ctx) {
    return (int64_t)(intptr_t)RedisModule_BlockClient((RedisModuleCtx *)(intptr_t)ctx, on_unblocked, NULL,
                                                      on_unblocked_free, 0);
}

/* Main thread, inside a module command: reply at once. */
SHIM_EXPORT void rr_reply_resp(int64_t ctx, const char *resp, int len) {
    if (!write_resp((RedisModuleCtx *)(intptr_t)ctx, resp, resp + len)) {
        shim_logf("warning", "malformed reply from Java");
    }
}

/* Main thread, inside a module command: the client keeps this database afterwards (RM_OK if it exists). */
SHIM_EXPORT int rr_select_db(int64_t ctx, int db) { return RedisModule_SelectDb((RedisModuleCtx *)(intptr_t)ctx, db); }

/* Any thread: answer a blocked client with a reply built by Java and release it. */
SHIM_EXPORT void rr_unblock_resp(int64_t bc, const char *resp, int len) {
    RedisModule_UnblockClient((RedisModuleBlockedClient *)(intptr_t)bc, resp_reply(resp, len));
}

/* ---- Executing command batches ---- */

typedef struct Cursor {
    const uint8_t *p;
    const uint8_t *end;
} Cursor;

static int read_u32(Cursor *c, uint32_t *out) {
    if (c->end - c->p < 4) return 0;
    *out = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
    c->p += 4;
    return 1;
}

/* One command of a unit as Redis strings (argv[0] is the command name). */
typedef struct Command {
    RedisModuleString **argv;
    int argc;
} Command;

static void command_free(Command *cmd) {
    for (int i = 0; i < cmd->argc; i++) RedisModule_FreeString(NULL, cmd->argv[i]);
    free(cmd->argv);
    cmd->argv = NULL;
    cmd->argc = 0;
}

/* Reads one encoded command; returns 0 if the input is malformed. */
static int read_command(Cursor *c, Command *cmd) {
    uint32_t argc;
    cmd->argv = NULL;
    cmd->argc = 0;
    if (!read_u32(c, &argc) || argc == 0 || argc > (uint32_t)(c->end - c->p)) return 0;
    cmd->argv = malloc(sizeof(*cmd->argv) * argc);
    for (uint32_t i = 0; i < argc; i++) {
        uint32_t len;
        if (!read_u32(c, &len) || len > (uint32_t)(c->end - c->p)) {
            command_free(cmd);
            return 0;
        }
        cmd->argv[cmd->argc++] = RedisModule_CreateString(NULL, (const char *)c->p, len);
        c->p += len;
    }
    return 1;
}

/*
 * Up to this many arguments go to RedisModule_Call as buffers ('b'): Redis then creates
 * them and, holding the only reference, re-encodes them as it does a client's (SET k 1
 * stores an integer). An argument passed as a RedisModuleString ('v', for longer
 * commands) is the module's too, and stays a string.
 */
#define BUFFER_ARGS_MAX 8
/* Longest run of RedisModule_Call flags (before the 'v') this file passes. */
#define CALL_FLAGS_MAX 8

/* RedisModule_Call of a command through ctx; fmt as RedisModule_Call takes it, ending in 'v'. */
static RedisModuleCallReply *call_command(RedisModuleCtx *ctx, Command *cmd, const char *fmt) {
    size_t name_len;
    const char *name_ptr = RedisModule_StringPtrLen(cmd->argv[0], &name_len);
    char *name = strndup(name_ptr, name_len);
    int n = cmd->argc - 1;
    size_t flags_len = strlen(fmt) - 1;
    RedisModuleCallReply *reply;
    if (n > BUFFER_ARGS_MAX || flags_len > CALL_FLAGS_MAX) {
        reply = RedisModule_Call(ctx, name, fmt, cmd->argv + 1, (size_t)n);
    } else {
        char bfmt[CALL_FLAGS_MAX + BUFFER_ARGS_MAX + 1];
        memcpy(bfmt, fmt, flags_len);
        memset(bfmt + flags_len, 'b', (size_t)n);
        bfmt[flags_len + (size_t)n] = '\0';
        const char *p[BUFFER_ARGS_MAX];
        size_t l[BUFFER_ARGS_MAX];
        for (int i = 0; i < n; i++) p[i] = RedisModule_StringPtrLen(cmd->argv[i + 1], &l[i]);
#define ARG(i) p[i], l[i]
        switch (n) {
        case 0: reply = RedisModule_Call(ctx, name, bfmt); break;
        case 1: reply = RedisModule_Call(ctx, name, bfmt, ARG(0)); break;
        case 2: reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1)); break;
        case 3: reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2)); break;
        case 4: reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2), ARG(3)); break;
        case 5: reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4)); break;
        case 6: reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5)); break;
        case 7:
            reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6));
            break;
        default:
            reply = RedisModule_Call(ctx, name, bfmt, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
                                     ARG(7));
            break;
        }
#undef ARG
    }
    free(name);
    return reply;
}

/* The header of a unit: its flags and, for units that run under a script user, that user. */
typedef struct UnitHeader {
    uint8_t flags;
    uint32_t db;
    RedisModuleUser *user;
    uint32_t count;
} UnitHeader;

/* Reads a unit's header; with_user: also find (or build) the user of its rules. */
static int read_unit_header(Cursor *c, UnitHeader *h, int with_user) {
    if (c->p >= c->end) return 0;
    h->flags = *c->p++;
    h->db = 0;
    h->user = NULL;
    if ((h->flags & UNIT_DB) && !read_u32(c, &h->db)) return 0;
    if (h->flags & UNIT_AS_USER) {
        uint32_t len;
        if (!read_u32(c, &len) || len > (uint32_t)(c->end - c->p)) return 0;
        if (with_user && !(h->user = acl_user_for_rules(c->p, len))) return 0;
        c->p += len;
    }
    return read_u32(c, &h->count) && h->count <= (uint32_t)(c->end - c->p);
}

/*
 * Whether a reply is an error, read from its first byte. RedisModule_CallReplyType would
 * parse the whole reply first, recursively: a script returning a table nested thousands
 * deep (Redis's "Script return recursive object" test) overflowed the main thread's stack.
 */
static int reply_is_error(RedisModuleCallReply *reply) {
    size_t len = 0;
    const char *proto = RedisModule_CallReplyProto(reply, &len);
    return proto && len > 0 && (proto[0] == '-' || proto[0] == '!');
}

/* Whether RedisModule_Call refused to run a command at all (unknown here, wrong arity here). */
static int not_executed(RedisModuleCallReply *reply, int dispatch_error) {
    if (!reply) return 1;
    if (!dispatch_error || !reply_is_error(reply)) return 0;
    size_t len;
    const char *text = RedisModule_CallReplyStringPtr(reply, &len);
    static const char *refusals[] = {"ERR unknown command", "ERR wrong number of arguments"};
    for (size_t i = 0; text && i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        size_t n = strlen(refusals[i]);
        if (len >= n && memcmp(text, refusals[i], n) == 0) {
            shim_logf("warning", "this node cannot run a command of the log: %.*s", (int)len, text);
            return 1;
        }
    }
    return 0;
}

/* maxmemory as Redis reports it (malloc'ed), or NULL if unlimited. */
static char *current_maxmemory(void) {
    RedisModuleCallReply *reply = RAW_CALL(RedisModule_Call(g_ctx, "CONFIG", "cc", "GET", "maxmemory"));
    char *value = NULL;
    if (reply && RedisModule_CallReplyLength(reply) == 2) {
        size_t len;
        const char *p = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(reply, 1), &len);
        if (p && !(len == 1 && p[0] == '0')) value = strndup(p, len);
    }
    free_call_reply(reply);
    return value;
}

static void set_maxmemory(const char *value) {
    RedisModuleCallReply *reply = RAW_CALL(RedisModule_Call(g_ctx, "CONFIG", "ccc", "SET", "maxmemory", value));
    free_call_reply(reply);
}

/* Points the module's context at the unit's database; logs if this node does not have it. */
static int select_db(uint32_t db) {
    if (RedisModule_SelectDb(g_ctx, (int)db) == RM_OK) return 1;
    shim_logf("warning", "this node has no database %u (see 'databases' in redis.conf)", db);
    return 0;
}

/* Whether a unit's only reply is PARKED_REPLY: its client keeps waiting. */
static int is_parked(const Reply *r) {
    if (r->count != 1 || r->as_array || !r->calls[0]) return 0;
    if (!reply_is_error(r->calls[0])) return 0;
    size_t len;
    const char *text = RedisModule_CallReplyStringPtr(r->calls[0], &len);
    return text && len == strlen(PARKED_REPLY) && memcmp(text, PARKED_REPLY, len) == 0;
}

/* waiting_here: the unit's client waits on this node (a blocked client, not a live context). */
static Reply *execute_unit(Cursor *c, int waiting_here) {
    UnitHeader h;
    int saved_db = RedisModule_GetSelectedDb(g_ctx);
    if (!read_unit_header(c, &h, 1) || !select_db(h.db)) return NULL;
    unit_may_wait = waiting_here && (h.flags & UNIT_MAY_WAIT);
    if (apply_delay_us > 0 && g_applying) usleep((useconds_t)apply_delay_us);
    /*
     * Scripts refuse deny-oom commands while this node was over maxmemory at its last
     * client command: a state of this node alone. Units with scripts (they carry a user)
     * are applied with maxmemory lifted, so every node runs them alike; the leader refused
     * them beforehand if it was over maxmemory.
     */
    int limited = RedisModule_GetUsedMemoryRatio() > 0; /* 0: no maxmemory, nothing to lift */
    char *lifted = g_applying && h.user && limited ? current_maxmemory() : NULL;
    if (lifted) set_maxmemory("0");
    Reply *r = calloc(1, sizeof(*r));
    r->select_db = -1;
    unit_selected_db = -1;
    r->as_array = (h.flags & UNIT_TRANSACTION) != 0;
    r->calls = calloc(h.count ? h.count : 1, sizeof(*r->calls));
    /* Under a script user, every command is checked against it ('C'), as on the leader. */
    const char *fmt = (h.flags & UNIT_RESP3) ? (h.user ? "CE3v" : "E3v") : (h.user ? "CEv" : "Ev");
    /* The leading checks are the module's, not the script's: never checked against its user. */
    const char *check_fmt = (h.flags & UNIT_RESP3) ? "E3v" : "Ev";
    g_unit_user = h.user;
    RedisModule_SetContextUser(g_ctx, h.user);
    int skip = 0;
    /* Leading checks: the slot guard, then the WATCH check. */
    uint32_t checks = ((h.flags & UNIT_GUARDED) ? 1 : 0) + ((h.flags & UNIT_CONDITIONAL) ? 1 : 0);
    for (uint32_t i = 0; i < h.count; i++) {
        Command cmd;
        if (!read_command(c, &cmd)) {
            reply_free(r);
            r = NULL;
            break;
        }
        if (skip) {
            command_free(&cmd);
            continue;
        }
        g_internal_calls++;
        errno = 0;
        r->calls[r->count] = call_command(g_ctx, &cmd, i < checks ? check_fmt : fmt);
        int dispatch_error = errno == ENOENT || errno == EINVAL;
        g_internal_calls--;
        command_free(&cmd);
        if (i < checks) {
            RedisModuleCallReply *check = r->calls[0];
            if (check && RedisModule_CallReplyType(check) == RM_REPLY_STRING) {
                free_call_reply(check);
                r->calls[0] = NULL;
                continue; /* passed: not one of the unit's replies */
            }
            r->as_array = 0; /* failed: its reply (EXEC's nil, a redirection) is the unit's */
            r->count = 1;
            skip = 1;
            continue;
        }
        r->count++;
        if (g_applying && not_executed(r->calls[r->count - 1], dispatch_error)) {
            /* The leader ran this command; a node that cannot even start it must not go on. */
            reply_free(r);
            r = NULL;
            break;
        }
    }
    RedisModule_SetContextUser(g_ctx, NULL);
    g_unit_user = NULL;
    unit_may_wait = 0;
    if (r) r->select_db = unit_selected_db;
    unit_selected_db = -1;
    RedisModule_SelectDb(g_ctx, saved_db);
    if (lifted) {
        set_maxmemory(lifted);
        free(lifted);
    }
    return r;
}

/*
 * Main thread: executes the units in buf[offset, offset + len) in order. targets[i] receives the reply of
 * unit i (0: nobody, e.g. on followers) and is then set to 0; a target left as it was is
 * a client that keeps waiting (UNIT_MAY_WAIT). When applying a log entry, now_ms is the
 * entry's time: the time every node uses for expiry while applying it; index is its log index. Returns the
 * number of units executed, or -1 if buf is malformed (the units before the bad one
 * have run).
 */
SHIM_EXPORT int rr_execute(const char *buf, int offset, int len, int64_t *targets, int ntargets, int mode,
                           int64_t now_ms, int64_t index) {
    Cursor c = {(const uint8_t *)buf + offset, (const uint8_t *)buf + offset + len};
    int done = 0;
    long long saved_time = g_apply_time;
    long long saved_index = g_apply_index;
    if (mode & EXEC_APPLYING) {
        g_applying++;
        g_apply_time = now_ms;
        g_apply_index = index;
        if (now_ms > g_latest_entry_time) g_latest_entry_time = now_ms;
    }
    while (c.p < c.end) {
        int64_t target = done < ntargets ? targets[done] : 0;
        Reply *r = execute_unit(&c, target && !(mode & EXEC_DIRECT));
        if (!r) {
            done = -1;
            break;
        }
        if (target && !(mode & EXEC_DIRECT) && is_parked(r)) {
            reply_free(r); /* the client stays blocked; targets[done] tells Java */
            done++;
            continue;
        }
        if (done < ntargets) targets[done] = 0;
        if (target && (mode & EXEC_DIRECT)) {
            reply_write((RedisModuleCtx *)(intptr_t)target, r);
            reply_free(r);
        } else if (target) {
            RedisModule_UnblockClient((RedisModuleBlockedClient *)(intptr_t)target, r);
        } else {
            reply_free(r);
        }
        done++;
    }
    if (mode & EXEC_APPLYING) {
        g_applying--;
        g_apply_time = saved_time;
        g_apply_index = saved_index;
    }
    return done;
}

/*
 * Main thread: 1 if a command of the unit names a key whose logical deadline is before
 * now_ms (the leader must then not read it locally: only the log may delete it), 0 if
 * none does, -1 if the unit is malformed.
 */
SHIM_EXPORT int rr_unit_has_due_keys(const char *buf, int len, int64_t now_ms) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    UnitHeader h;
    int saved_db = RedisModule_GetSelectedDb(g_ctx);
    if (!read_unit_header(&c, &h, 0) || !select_db(h.db)) return -1;
    int due = 0;
    for (uint32_t i = 0; i < h.count && due == 0; i++) {
        Command cmd;
        if (!read_command(&c, &cmd)) {
            due = -1;
            break;
        }
        due = expiry_any_due(cmd.argv, cmd.argc, now_ms);
        command_free(&cmd);
    }
    RedisModule_SelectDb(g_ctx, saved_db);
    return due;
}

/*
 * Main thread: runs one command, bypassing every interception of this module, and
 * returns its reply in RESP2 (malloc'ed, release with rr_free); NULL if the command
 * is malformed. For Java's own use (COMMAND, CONFIG GET, ...) and for internal calls
 * Java completes itself; in database db (-1: the one the module's context uses now).
 */
static char *call_in_db(int db, Command *cmd, int *out_len);

SHIM_EXPORT char *rr_call_in_db(int db, const char *buf, int len, int *out_len) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    Command cmd;
    *out_len = 0;
    if (!read_command(&c, &cmd)) return NULL;
    return call_in_db(db, &cmd, out_len);
}

/* Redis's clock (mstime()) in microseconds. */
static long long clock_us(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/*
 * Main thread, applying an entry: rr_call_in_db for XCLAIM / XAUTOCLAIM, whose argument
 * idle_arg is a min-idle-time that Redis compares with its own clock. It is shifted by
 * how far that clock is past the entry's time, so the claim takes exactly the entries
 * idle that long at the entry's time, on every node. The command reads the clock once,
 * as it starts, within microseconds of this: the shift is taken early in a millisecond
 * so that both readings fall into the same one. A node whose clock is behind the
 * entry's time cannot shift below 1 ms (0 would mean "any idle time").
 */
SHIM_EXPORT char *rr_call_at_entry_time(int db, const char *buf, int len, int idle_arg, int64_t entry_time,
                                        int *out_len) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    Command cmd;
    *out_len = 0;
    if (!read_command(&c, &cmd)) return NULL;
    long long min_idle = 0;
    if (idle_arg > 0 && idle_arg < cmd.argc && RedisModule_StringToLongLong(cmd.argv[idle_arg], &min_idle) == RM_OK &&
        min_idle > 0) {
        long long now_us;
        while ((now_us = clock_us()) % 1000 > 800) {
        }
        long long shifted = min_idle + now_us / 1000 - entry_time;
        char text[32];
        int n = snprintf(text, sizeof(text), "%lld", shifted < 1 ? 1 : shifted);
        RedisModule_FreeString(NULL, cmd.argv[idle_arg]);
        cmd.argv[idle_arg] = RedisModule_CreateString(NULL, text, (size_t)n);
    }
    return call_in_db(db, &cmd, out_len);
}

/* Runs cmd (and frees it); its reply in RESP2, malloc'ed. */
static char *call_in_db(int db, Command *cmd, int *out_len) {
    int saved_db = RedisModule_GetSelectedDb(g_ctx);
    if (db >= 0 && RedisModule_SelectDb(g_ctx, db) != RM_OK) {
        command_free(cmd);
        return NULL;
    }
    RedisModuleCallReply *reply = RAW_CALL(call_command(g_ctx, cmd, "Ev"));
    RedisModule_SelectDb(g_ctx, saved_db);
    command_free(cmd);
    if (!reply) return NULL;
    size_t proto_len;
    const char *proto = RedisModule_CallReplyProto(reply, &proto_len);
    char *copy = malloc(proto_len ? proto_len : 1);
    memcpy(copy, proto, proto_len);
    *out_len = (int)proto_len;
    free_call_reply(reply);
    return copy;
}

/*
 * Main thread, inside an internal call (RAFT._AS): runs a command bypassing the
 * module's interception and sends its reply to that call's client as it is, in the
 * client's protocol. With as_unit_user, the command runs under the unit's script
 * user, if there is one (so the scripts it runs are checked as on the leader).
 */
SHIM_EXPORT void rr_call_and_reply(int64_t ctx, const char *buf, int len, int as_unit_user) {
    RedisModuleCtx *c_ctx = (RedisModuleCtx *)(intptr_t)ctx;
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    Command cmd;
    if (!read_command(&c, &cmd)) {
        RedisModule_ReplyWithError(c_ctx, "ERR malformed internal call");
        return;
    }
    RedisModuleCallReply *reply = RAW_CALL(call_command(c_ctx, &cmd, as_unit_user && g_unit_user ? "CE0v" : "E0v"));
    write_call_reply(c_ctx, reply);
    free_call_reply(reply);
    command_free(&cmd);
}

/*
 * Main thread: deletes the keys of one encoded command whose logical deadline is
 * before now_ms (after a command that may have set a deadline in the past).
 */
SHIM_EXPORT void rr_expire_command_keys(const char *buf, int len, int64_t now_ms) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    Command cmd;
    if (!read_command(&c, &cmd)) return;
    expiry_delete_due(cmd.argv, cmd.argc, now_ms);
    command_free(&cmd);
}

/*
 * Main thread: for an encoded command whose arguments (after its name) are key names,
 * sets due[i] to 1 if argument i+1 names a key of database db (-1: the one the module's
 * context uses now) whose logical deadline is before now_ms.
 */
SHIM_EXPORT void rr_due_keys_mask(int db, const char *buf, int len, int64_t now_ms, uint8_t *due) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    Command cmd;
    if (!read_command(&c, &cmd)) return;
    int saved_db = RedisModule_GetSelectedDb(g_ctx);
    if (db < 0 || RedisModule_SelectDb(g_ctx, db) == RM_OK) {
        for (int i = 1; i < cmd.argc; i++) due[i - 1] = (uint8_t)expiry_key_is_due(cmd.argv[i], now_ms);
    }
    RedisModule_SelectDb(g_ctx, saved_db);
    command_free(&cmd);
}

SHIM_EXPORT void rr_free(void *p) { free(p); }

/* Flags of a command's context (RESP3, in a script, ...): for replies Java builds itself. */
SHIM_EXPORT int rr_context_flags(int64_t ctx) { return RedisModule_GetContextFlags((RedisModuleCtx *)(intptr_t)ctx); }

/* The running Redis's version, 0x00MMmmpp. */
SHIM_EXPORT int rr_server_version(void) { return RedisModule_GetServerVersion(); }

/* ---- Module commands ---- */

/* RAFT <command> ...: a client command the filter sent to the module. */
static int client_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    int is_default = 1;
    int acl = argc > 1 ? acl_check_client(ctx, argv + 1, argc - 1, &is_default) : ACL_OK;
    bridge_command(ctx, argv, argc, acl | (is_default ? SECURITY_DEFAULT_USER : 0));
    return RM_OK;
}

/* RAFT.CLUSTER, RAFT.NODE, ...: Redis checked the caller's ACL for these itself. */
static int admin_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    bridge_command(ctx, argv, argc, 0);
    return RM_OK;
}

/*
 * The RAFT._* targets exist for the filter, which inserts them only in front of commands
 * the shim itself runs (g_internal_calls > 0). A client naming one is refused: RAFT._AS
 * would otherwise run a write on this node alone, outside the log and the ACL checks.
 */
static int refused_to_clients(RedisModuleCtx *ctx) {
    if (g_internal_calls > 0) return 0;
    RedisModule_ReplyWithError(ctx, "ERR this command is internal to the Raft module");
    return 1;
}

/*
 * RAFT._AS <command> ...: a command of the module's own, or of a script it runs, that Java
 * completes; checked here against the running unit's script user, if any.
 */
static int internal_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (refused_to_clients(ctx)) return RM_OK;
    if (argc < 2) return RedisModule_WrongArity(ctx);
    /* Java's own calls for it run in the caller's database (a script may have selected another). */
    int saved_db = RedisModule_GetSelectedDb(g_ctx);
    RedisModule_SelectDb(g_ctx, RedisModule_GetSelectedDb(ctx));
    bridge_internal_call(ctx, argv + 1, argc - 1, g_applying ? g_apply_time : expiry_now(), g_applying > 0,
                         acl_check_unit_user(argv + 1, argc - 1));
    RedisModule_SelectDb(g_ctx, saved_db);
    return RM_OK;
}

static int reject_random(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (refused_to_clients(ctx)) return RM_OK;
    return RedisModule_ReplyWithError(ctx, "ERR Cannot run a command with random results in this context");
}

static int reject_kill(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (refused_to_clients(ctx)) return RM_OK;
    return RedisModule_ReplyWithError(ctx,
        "UNKILLABLE The busy script is applied from the Raft log and must end the same way on every node. "
        "Wait for it, or stop this node with SHUTDOWN NOSAVE.");
}

static int no_script(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (refused_to_clients(ctx)) return RM_OK;
    return RedisModule_ReplyWithError(ctx, "NOSCRIPT No matching script. Please use EVAL.");
}

/* RAFT._REJECT_SUBSCRIBE: a subscription this node does not take now (see filter.c). */
static int reject_subscribe(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    const char *refusal = filter_subscribe_refusal();
    return RedisModule_ReplyWithError(ctx, refusal ? refusal : "CLUSTERDOWN No raft leader");
}

/*
 * RAFT._SELECT index: a SELECT queued in MULTI. The rest of the unit runs in that database
 * (the module's context), and its client keeps it afterwards (reply_write).
 */
static int select_in_unit(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (refused_to_clients(ctx)) return RM_OK;
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long db;
    if (RedisModule_StringToLongLong(argv[1], &db) != RM_OK) {
        return RedisModule_ReplyWithError(ctx, "ERR invalid DB index");
    }
    if (db < 0 || db > INT32_MAX || RedisModule_SelectDb(g_ctx, (int)db) != RM_OK) {
        return RedisModule_ReplyWithError(ctx, "ERR DB index is out of range");
    }
    unit_selected_db = (int)db;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* RAFT._WATCH_CHECK (db key state)...: opens a transaction of watched keys (see java watch/Watches). */
static int watch_check(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (refused_to_clients(ctx)) return RM_OK;
    bridge_internal_call(ctx, argv, argc, g_applying ? g_apply_time : expiry_now(), g_applying > 0, ACL_OK);
    return RM_OK;
}

/*
 * The sharding state's commands, answered by Java (sharding/ShardGroups): RAFT._SHARDGROUPS
 * (a change of the shard groups), RAFT._SLOT_GUARD (may a unit's keys be served here now),
 * RAFT._KEYLOCKS (keys being moved out), RAFT._IMPORT (keys moved in).
 */
static int sharding_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (refused_to_clients(ctx)) return RM_OK;
    bridge_internal_call(ctx, argv, argc, g_applying ? g_apply_time : expiry_now(), g_applying > 0, ACL_OK);
    return RM_OK;
}

/* RAFT._EXPIRE key ...: names keys found expired; applying it deletes those still expired (see filter.c). */
static int expire_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (refused_to_clients(ctx)) return RM_OK;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int exec_register_commands(RedisModuleCtx *ctx) {
    static const struct {
        const char *name;
        RedisModuleCmdFunc handler;
        const char *flags;
        int first_key, last_key;
    } commands[] = {
        /* no-auth: Redis would check the wrapper, not the command; the module checks the command. */
        {"raft", client_command, "write no-auth", 0, 0},
        {"raft.cluster", admin_command, "admin", 0, 0},
        {"raft.node", admin_command, "admin", 0, 0},
        {"raft.transfer_leader", admin_command, "admin", 0, 0},
        {"raft.timeout_now", admin_command, "admin", 0, 0},
        {"raft.debug", admin_command, "admin", 0, 0},
        {"raft.nodeshutdown", admin_command, "admin", 0, 0},
        {"raft.shardgroup", admin_command, "admin", 0, 0},
        {"raft.import", admin_command, "admin", 0, 0},
        {"raft.scan", admin_command, "admin readonly", 0, 0},
        /* Internal targets of the filter; each checks what it wraps where needed. */
        {"raft._as", internal_call, "write no-auth", 0, 0},
        {"raft._as_ro", internal_call, "readonly no-auth", 0, 0},
        {"raft._reject_random", reject_random, "no-auth", 0, 0},
        {"raft._unkillable", reject_kill, "no-auth allow-busy", 0, 0},
        {"raft._noscript", no_script, "no-auth", 0, 0},
        {"raft._reject_subscribe", reject_subscribe, "no-auth pubsub", 0, 0},
        {"raft._watch_check", watch_check, "readonly no-auth", 0, 0},
        {"raft._select", select_in_unit, "readonly no-auth", 0, 0},
        {"raft._shardgroups", sharding_call, "write no-auth", 0, 0},
        {"raft._slot_guard", sharding_call, "readonly no-auth", 0, 0},
        {"raft._keylocks", sharding_call, "write no-auth", 0, 0},
        {"raft._import", sharding_call, "write no-auth", 0, 0},
        {"raft._expire", expire_keys, "write no-auth", 1, -1},
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (RedisModule_CreateCommand(ctx, commands[i].name, commands[i].handler, commands[i].flags,
                                      commands[i].first_key, commands[i].last_key,
                                      commands[i].first_key ? 1 : 0) != RM_OK) {
            return RM_ERR;
        }
    }
    return RM_OK;
}
