/*
 * Access control glue.
 *
 * Client commands reach the module through the RAFT wrapper, which is flagged
 * no-auth: Redis neither checks the wrapper against the client's ACL nor asks for
 * authentication, so the module does both for the real command (Java decides,
 * using the checks here). Replicated scripts run, on every node, under a module
 * user built from the ACL rules their caller had on the leader, so every node
 * grants and refuses the same commands inside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* ---- Checking a client's command ---- */

static int same_text(RedisModuleString *s, const char *text) {
    size_t len;
    const char *p = RedisModule_StringPtrLen(s, &len);
    return len == strlen(text) && memcmp(p, text, len) == 0;
}

/*
 * Why the ACL refused a command, in the words of ACL DRYRUN ("... to run the 'get'
 * command", "... to access the 'k' key", "... the 'c' channel"). Sets *object to the
 * quoted name (a new string, or NULL) for the ACL log.
 */
static int classify_denial(RedisModuleString *user, RedisModuleString **argv, int argc, RedisModuleString **object) {
    RedisModuleString **args = malloc(sizeof(*args) * (size_t)(argc + 2));
    args[0] = RedisModule_CreateString(NULL, "DRYRUN", 6);
    args[1] = user;
    for (int i = 0; i < argc; i++) args[i + 2] = argv[i];
    RedisModuleCallReply *reply = RAW_CALL(RedisModule_Call(g_ctx, "ACL", "Ev", args, (size_t)(argc + 2)));
    RedisModule_FreeString(NULL, args[0]);
    free(args);
    int reason = ACL_DENIED_CMD;
    *object = NULL;
    if (!reply) return reason;
    size_t len;
    const char *text = RedisModule_CallReplyStringPtr(reply, &len);
    if (text) {
        char *msg = strndup(text, len);
        char *first = strchr(msg, '\'');
        char *last = strrchr(msg, '\'');
        if (strstr(msg, "' key")) reason = ACL_DENIED_KEY;
        else if (strstr(msg, "' channel")) reason = ACL_DENIED_CHANNEL;
        if (first && last > first) *object = RedisModule_CreateString(NULL, first + 1, (size_t)(last - first - 1));
        free(msg);
    }
    RedisModule_FreeCallReply(reply);
    return reason;
}

/*
 * Checks the command argv[0..argc) against the ACL user of the calling client; on a
 * refusal the ACL log gets an entry, as Redis would add. Sets *is_default when the
 * client's user is "default". Returns ACL_OK or an ACL_DENIED_* reason.
 */
int acl_check_client(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int *is_default) {
    RedisModuleString *name = RedisModule_GetCurrentUserName(ctx);
    if (!name) {
        *is_default = 1;
        return ACL_OK;
    }
    *is_default = same_text(name, "default");
    RedisModuleUser *user = RedisModule_GetModuleUserFromUserName(name);
    int reason = ACL_OK;
    if (!user) {
        reason = ACL_DENIED_CMD; /* the user was deleted under the client */
    } else if (RedisModule_ACLCheckCommandPermissions(user, argv, argc) != RM_OK && errno != ENOENT) {
        RedisModuleString *object = NULL;
        reason = classify_denial(name, argv, argc, &object);
        static const int log_reasons[] = {0, RM_ACL_LOG_CMD, RM_ACL_LOG_KEY, RM_ACL_LOG_CHANNEL};
        RedisModule_ACLAddLogEntry(ctx, user, object ? object : argv[0], log_reasons[reason]);
        if (object) RedisModule_FreeString(NULL, object);
    }
    if (user) RedisModule_FreeModuleUser(user);
    RedisModule_FreeString(NULL, name);
    return reason;
}

/* Main thread, inside a module command: the calling client's ACL user name (malloc'ed). */
SHIM_EXPORT char *rr_client_user(int64_t ctx) {
    RedisModuleString *name = RedisModule_GetCurrentUserName((RedisModuleCtx *)(intptr_t)ctx);
    if (!name) return strdup("default");
    size_t len;
    const char *p = RedisModule_StringPtrLen(name, &len);
    char *copy = strndup(p, len);
    RedisModule_FreeString(NULL, name);
    return copy;
}

/* Main thread, inside a module command: authenticates the calling client as an ACL user. */
SHIM_EXPORT int rr_authenticate(int64_t ctx, const char *user) {
    return RedisModule_AuthenticateClientWithACLUser((RedisModuleCtx *)(intptr_t)ctx, user, strlen(user), NULL, NULL,
                                                     NULL) == RM_OK
               ? 0
               : -1;
}

/* Main thread, inside a module command: hides argument pos from SLOWLOG and MONITOR. */
SHIM_EXPORT void rr_redact(int64_t ctx, int pos) {
    RedisModule_RedactClientCommandArgument((RedisModuleCtx *)(intptr_t)ctx, pos);
}

/* ---- Users of replicated scripts ---- */

#define SCRIPT_USERS 32

typedef struct ScriptUser {
    char *rules; /* the encoded rules, the cache key */
    size_t rules_len;
    RedisModuleUser *user;
} ScriptUser;

static ScriptUser script_users[SCRIPT_USERS];
static int next_victim;

RedisModuleUser *g_unit_user;

/*
 * The module user for a list of ACL rules (u32 count, then u32 length + text each,
 * as in a unit), built once and cached. NULL if Redis refuses a rule.
 */
RedisModuleUser *acl_user_for_rules(const uint8_t *rules, size_t len) {
    for (int i = 0; i < SCRIPT_USERS; i++) {
        ScriptUser *s = &script_users[i];
        if (s->user && s->rules_len == len && memcmp(s->rules, rules, len) == 0) return s->user;
    }
    RedisModuleUser *user = RedisModule_CreateModuleUser("raft-script");
    RedisModule_SetModuleUserACL(user, "reset");
    const uint8_t *p = rules, *end = rules + len;
    uint32_t count = 0;
    if (end - p >= 4) {
        memcpy(&count, p, 4);
        p += 4;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t n;
        if (end - p < 4) break;
        memcpy(&n, p, 4);
        p += 4;
        if ((size_t)(end - p) < n) break;
        char *rule = strndup((const char *)p, n);
        p += n;
        int ok = RedisModule_SetModuleUserACL(user, rule) == RM_OK;
        if (!ok) shim_logf("warning", "cannot apply ACL rule '%s' to a replicated script's user", rule);
        free(rule);
        if (!ok) {
            RedisModule_FreeModuleUser(user);
            return NULL;
        }
    }
    ScriptUser *slot = &script_users[next_victim];
    next_victim = (next_victim + 1) % SCRIPT_USERS;
    if (slot->user) RedisModule_FreeModuleUser(slot->user);
    free(slot->rules);
    slot->rules = malloc(len ? len : 1);
    memcpy(slot->rules, rules, len);
    slot->rules_len = len;
    slot->user = user;
    return user;
}

/*
 * Main thread, while a unit runs under a script user: checks a command called inside
 * it against that user (ACL_OK if the unit has none). Like Redis, a command the user
 * may not run at all is reported before a key it may not touch: the command is checked
 * alone (its name only), which is safe for the commands the filter hands back to the
 * module, whose keys are found by position.
 */
int acl_check_unit_user(RedisModuleString **argv, int argc) {
    RedisModuleUser *user = g_unit_user;
    if (!user || RedisModule_ACLCheckCommandPermissions(user, argv, argc) == RM_OK || errno == ENOENT) return ACL_OK;
    return RedisModule_ACLCheckCommandPermissions(user, argv, 1) == RM_OK ? ACL_DENIED_KEY : ACL_DENIED_CMD;
}
