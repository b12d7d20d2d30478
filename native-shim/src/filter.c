/*
 * The command filter: sends client commands to the module command RAFT.
 *
 * Which commands are intercepted is decided in Java (commands/CommandTable) and
 * pushed here with rr_set_command_flags(); this file only looks names up, and sends
 * names it does not know to Java too. A
 * command that is intercepted gets "RAFT" inserted in front of it, so Redis runs
 * the module command RAFT with the original command as arguments.
 *
 * Commands the shim itself runs (g_internal_calls > 0: applying the log, local
 * reads, RAFT.DEBUG EXEC, SAVE in a snapshot child) pass untouched, except that
 * while log entries are applied a nondeterministic command (flag
 * NONDETERMINISTIC, e.g. inside a Lua script) is redirected to RAFT._REJECT_RANDOM
 * so every node takes the same decision.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* Flags shared with Java (bridge/Shim.java). */
#define CMD_INTERCEPT 1
#define CMD_BY_SUBCOMMAND 2
#define CMD_NONDETERMINISTIC 4

#define NAME_MAX_LEN 64
#define TABLE_SIZE 2048 /* power of two, comfortably above the ~250 commands (+ subcommands) */

typedef struct Entry {
    char name[NAME_MAX_LEN];
    int flags;
    int used;
} Entry;

static Entry table[TABLE_SIZE];
int g_internal_calls;
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

/* name is "command" or "command|subcommand", lower case. */
SHIM_EXPORT int rr_set_command_flags(const char *name, int flags) {
    if (strlen(name) + 1 > NAME_MAX_LEN) return RM_ERR;
    Entry *e = find_slot(name);
    if (!e->used) {
        strcpy(e->name, name);
        e->used = 1;
    }
    e->flags = flags;
    return RM_OK;
}

static int lookup(RedisModuleCommandFilterCtx *f, int argc) {
    size_t len;
    const char *cmd = RedisModule_StringPtrLen(RedisModule_CommandFilterArgGet(f, 0), &len);
    char name[NAME_MAX_LEN];
    if (!lower_name(cmd, len, name, sizeof(name))) return 0;
    Entry *e = find_slot(name);
    /* Unknown to the table (e.g. a command of a module loaded later): let Java look. */
    if (!e->used) return CMD_INTERCEPT;
    if (!(e->flags & CMD_BY_SUBCOMMAND) || argc < 2) return e->flags;

    size_t sublen;
    const char *sub = RedisModule_StringPtrLen(RedisModule_CommandFilterArgGet(f, 1), &sublen);
    size_t used = strlen(name);
    name[used] = '|';
    if (!lower_name(sub, sublen, name + used + 1, sizeof(name) - used - 1)) return e->flags;
    Entry *s = find_slot(name);
    return s->used ? s->flags : e->flags;
}

static void filter(RedisModuleCommandFilterCtx *f) {
    if (shim_in_fork_child()) return;
    int argc = RedisModule_CommandFilterArgsCount(f);
    if (argc < 1) return;
    int flags = lookup(f, argc);
    if (g_internal_calls > 0) {
        if (g_applying && (flags & CMD_NONDETERMINISTIC)) {
            /* Redis takes ownership of inserted strings, so each insert gets a new one. */
            RedisModule_CommandFilterArgInsert(f, 0, RedisModule_CreateString(NULL, "RAFT._REJECT_RANDOM", 19));
        }
        return;
    }
    if (flags & CMD_INTERCEPT) {
        RedisModule_CommandFilterArgInsert(f, 0, RedisModule_CreateString(NULL, "RAFT", 4));
    }
}

int filter_register(RedisModuleCtx *ctx) {
    return RedisModule_RegisterCommandFilter(ctx, filter, 0) ? RM_OK : RM_ERR;
}
