/*
 * Module commands, command execution and replies.
 *
 * All module commands (RAFT, RAFT.CLUSTER, ...) go straight to Java. Java answers
 * either at once (rr_reply_resp) or blocks the client (rr_block_client) and
 * answers later: with a reply it built itself (rr_unblock_resp) or with the
 * replies of commands the shim executes for it (rr_execute).
 *
 * Command batches use the layout Java writes (raft/CommandCodec.java), all
 * integers little-endian:
 *   unit    := u8 flags, u32 command count, command*
 *   command := u32 argc, (u32 length, bytes)*
 * flags: UNIT_TRANSACTION = the replies form one array (MULTI/EXEC),
 *        UNIT_RESP3 = the client speaks RESP3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define UNIT_TRANSACTION 1
#define UNIT_RESP3 2

#define EXEC_APPLYING 1 /* the batch is a committed log entry */
#define EXEC_DIRECT 2   /* targets are live command contexts, not blocked clients */

typedef struct Reply {
    char *resp; /* a reply built by Java, in RESP, or NULL */
    size_t resp_len;
    int as_array;
    int count;
    RedisModuleCallReply **calls;
} Reply;

/* ---- Writing replies ---- */

static void reply_free(Reply *r) {
    if (!r) return;
    for (int i = 0; i < r->count; i++) {
        if (r->calls[i]) RedisModule_FreeCallReply(r->calls[i]);
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
    RedisModule_ReplyWithArray(ctx, (long)n);
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

/* Runs one command through RM_Call; the result is NULL only if the input is malformed. */
static int execute_command(Cursor *c, const char *fmt, RedisModuleCallReply **out) {
    uint32_t argc;
    if (!read_u32(c, &argc) || argc == 0 || argc > (uint32_t)(c->end - c->p)) return 0;
    RedisModuleString **argv = malloc(sizeof(*argv) * argc);
    uint32_t made = 0;
    int ok = 1;
    for (; made < argc; made++) {
        uint32_t len;
        if (!read_u32(c, &len) || len > (uint32_t)(c->end - c->p)) {
            ok = 0;
            break;
        }
        argv[made] = RedisModule_CreateString(NULL, (const char *)c->p, len);
        c->p += len;
    }
    if (ok) {
        size_t name_len;
        const char *name_ptr = RedisModule_StringPtrLen(argv[0], &name_len);
        char *name = strndup(name_ptr, name_len);
        g_internal_calls++;
        *out = RedisModule_Call(g_ctx, name, fmt, argv + 1, (size_t)(argc - 1));
        g_internal_calls--;
        free(name);
    }
    for (uint32_t i = 0; i < made; i++) RedisModule_FreeString(NULL, argv[i]);
    free(argv);
    return ok;
}

static Reply *execute_unit(Cursor *c) {
    if (c->p >= c->end) return NULL;
    uint8_t flags = *c->p++;
    uint32_t count;
    if (!read_u32(c, &count) || count > (uint32_t)(c->end - c->p)) return NULL;
    Reply *r = calloc(1, sizeof(*r));
    r->as_array = (flags & UNIT_TRANSACTION) != 0;
    r->calls = calloc(count ? count : 1, sizeof(*r->calls));
    const char *fmt = (flags & UNIT_RESP3) ? "E3v" : "Ev";
    for (uint32_t i = 0; i < count; i++) {
        if (!execute_command(c, fmt, &r->calls[i])) {
            reply_free(r);
            return NULL;
        }
        r->count++;
    }
    return r;
}

/*
 * Main thread: executes the units in buf[offset, offset + len) in order. targets[i] receives the reply of
 * unit i (0: nobody, e.g. on followers). Returns the number of units executed, or
 * -1 if buf is malformed (the units before the bad one have run).
 */
SHIM_EXPORT int rr_execute(const char *buf, int offset, int len, const int64_t *targets, int ntargets, int mode) {
    Cursor c = {(const uint8_t *)buf + offset, (const uint8_t *)buf + offset + len};
    int done = 0;
    if (mode & EXEC_APPLYING) g_applying++;
    while (c.p < c.end) {
        Reply *r = execute_unit(&c);
        if (!r) {
            done = -1;
            break;
        }
        int64_t target = done < ntargets ? targets[done] : 0;
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
    if (mode & EXEC_APPLYING) g_applying--;
    return done;
}

/* Main thread: runs one command and returns its reply in RESP (malloc'ed, release
 * with rr_free), for Java's own use (COMMAND, CONFIG GET, ...). */
SHIM_EXPORT char *rr_call(const char *buf, int len, int *out_len) {
    Cursor c = {(const uint8_t *)buf, (const uint8_t *)buf + len};
    RedisModuleCallReply *reply = NULL;
    *out_len = 0;
    if (!execute_command(&c, "Ev", &reply) || !reply) return NULL;
    size_t proto_len;
    const char *proto = RedisModule_CallReplyProto(reply, &proto_len);
    char *copy = malloc(proto_len ? proto_len : 1);
    memcpy(copy, proto, proto_len);
    *out_len = (int)proto_len;
    RedisModule_FreeCallReply(reply);
    return copy;
}

SHIM_EXPORT void rr_free(void *p) { free(p); }

/* ---- Module commands ---- */

static int forward_to_java(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    bridge_command(ctx, argv, argc);
    return RM_OK;
}

static int reject_random(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    return RedisModule_ReplyWithError(ctx, "ERR Cannot run a command with random results in this context");
}

int exec_register_commands(RedisModuleCtx *ctx) {
    static const struct {
        const char *name;
        const char *flags;
    } java_commands[] = {
        {"raft", "write"},
        {"raft.cluster", "admin"},
        {"raft.node", "admin"},
        {"raft.transfer_leader", "admin"},
        {"raft.timeout_now", "admin"},
        {"raft.debug", "admin"},
    };
    for (size_t i = 0; i < sizeof(java_commands) / sizeof(java_commands[0]); i++) {
        if (RedisModule_CreateCommand(ctx, java_commands[i].name, forward_to_java, java_commands[i].flags, 0, 0, 0) !=
            RM_OK) {
            return RM_ERR;
        }
    }
    return RedisModule_CreateCommand(ctx, "raft._reject_random", reject_random, "", 0, 0, 0);
}
