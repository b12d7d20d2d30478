/*
 * raft.* configuration glue.
 *
 * Two kinds of options exist:
 *  - boot options (java-home, jvm-options) are needed before the JVM exists, so
 *    the shim owns them. They are IMMUTABLE: Redis itself refuses CONFIG SET.
 *  - every other option is declared by Java (rr_register_config) while OnLoad
 *    runs, and its get/set callbacks forward to Java, which validates and stores it.
 *
 * RM_LoadConfigs runs twice: once for the boot options, once for the rest. The
 * second pass re-applies defaults to the boot options (their queued values were
 * consumed by the first pass), so once the JVM is up their setter keeps the
 * value the JVM was started with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#ifndef REDISRAFT_DEFAULT_JVM_OPTIONS
#define REDISRAFT_DEFAULT_JVM_OPTIONS ""
#endif

enum { BOOT_JAVA_HOME = 0, BOOT_JVM_OPTIONS = 1, BOOT_COUNT };

static char *boot_values[BOOT_COUNT];
static RedisModuleString *boot_strings[BOOT_COUNT];
static int boot_frozen;

static void replace_string(char **slot, const char *value) {
    free(*slot);
    *slot = strdup(value ? value : "");
}

static RedisModuleString *boot_get(const char *name, void *privdata) {
    (void)name;
    int which = (int)(intptr_t)privdata;
    if (boot_strings[which]) RedisModule_FreeString(NULL, boot_strings[which]);
    const char *v = boot_values[which] ? boot_values[which] : "";
    boot_strings[which] = RedisModule_CreateString(NULL, v, strlen(v));
    return boot_strings[which];
}

static int boot_set(const char *name, RedisModuleString *val, void *privdata, RedisModuleString **err) {
    (void)name;
    (void)err;
    if (boot_frozen) return RM_OK; /* see the comment at the top of the file */
    size_t len;
    const char *s = RedisModule_StringPtrLen(val, &len);
    char *copy = strndup(s, len);
    int which = (int)(intptr_t)privdata;
    free(boot_values[which]);
    boot_values[which] = copy;
    return RM_OK;
}

int boot_configs_register(RedisModuleCtx *ctx) {
    replace_string(&boot_values[BOOT_JAVA_HOME], "");
    replace_string(&boot_values[BOOT_JVM_OPTIONS], REDISRAFT_DEFAULT_JVM_OPTIONS);
    if (RedisModule_RegisterStringConfig(ctx, "java-home", "", RM_CONFIG_IMMUTABLE, boot_get, boot_set, NULL,
                                         (void *)(intptr_t)BOOT_JAVA_HOME) != RM_OK ||
        RedisModule_RegisterStringConfig(ctx, "jvm-options", REDISRAFT_DEFAULT_JVM_OPTIONS, RM_CONFIG_IMMUTABLE,
                                         boot_get, boot_set, NULL, (void *)(intptr_t)BOOT_JVM_OPTIONS) != RM_OK) {
        return RM_ERR;
    }
    return RedisModule_LoadConfigs(ctx);
}

const char *boot_config_java_home(void) { return boot_values[BOOT_JAVA_HOME]; }
const char *boot_config_jvm_options(void) { return boot_values[BOOT_JVM_OPTIONS]; }
void boot_configs_freeze(void) { boot_frozen = 1; }

/* ---- Options declared by Java ---- */

enum { CFG_STRING = 0, CFG_BOOL = 1, CFG_NUMERIC = 2, CFG_ENUM = 3 };

typedef struct JavaConfig {
    int id;                   /* Java's index of the option */
    RedisModuleString *last;  /* last string handed to Redis by a getter */
} JavaConfig;

static RedisModuleCtx *registration_ctx;

int config_registration_begin(RedisModuleCtx *ctx) {
    registration_ctx = ctx;
    return RM_OK;
}

void config_registration_end(void) { registration_ctx = NULL; }

static RedisModuleString *error_string(char *msg) {
    RedisModuleString *s = RedisModule_CreateString(NULL, msg, strlen(msg));
    free(msg);
    return s;
}

static int forward_set(JavaConfig *cfg, const char *value, RedisModuleString **err) {
    char *msg = bridge_config_set(cfg->id, value);
    if (!msg) return RM_OK;
    *err = error_string(msg);
    return RM_ERR;
}

static long long forward_get_number(JavaConfig *cfg) {
    char *v = bridge_config_get(cfg->id);
    long long n = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return n;
}

static RedisModuleString *get_string(const char *name, void *privdata) {
    (void)name;
    JavaConfig *cfg = privdata;
    char *v = bridge_config_get(cfg->id);
    if (cfg->last) RedisModule_FreeString(NULL, cfg->last);
    cfg->last = RedisModule_CreateString(NULL, v ? v : "", v ? strlen(v) : 0);
    free(v);
    return cfg->last;
}

static int set_string(const char *name, RedisModuleString *val, void *privdata, RedisModuleString **err) {
    (void)name;
    size_t len;
    const char *s = RedisModule_StringPtrLen(val, &len);
    char *copy = strndup(s, len);
    int rc = forward_set(privdata, copy, err);
    free(copy);
    return rc;
}

static int get_bool(const char *name, void *privdata) {
    (void)name;
    return forward_get_number(privdata) != 0;
}

static int set_bool(const char *name, int val, void *privdata, RedisModuleString **err) {
    (void)name;
    return forward_set(privdata, val ? "1" : "0", err);
}

static long long get_numeric(const char *name, void *privdata) {
    (void)name;
    return forward_get_number(privdata);
}

static int set_numeric(const char *name, long long val, void *privdata, RedisModuleString **err) {
    (void)name;
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", val);
    return forward_set(privdata, buf, err);
}

static int get_enum(const char *name, void *privdata) {
    (void)name;
    return (int)forward_get_number(privdata);
}

static int set_enum(const char *name, int val, void *privdata, RedisModuleString **err) {
    (void)name;
    char buf[16];
    snprintf(buf, sizeof(buf), "%d", val);
    return forward_set(privdata, buf, err);
}

/* enum_spec is "name:value,name:value,..." */
static int register_enum(JavaConfig *cfg, const char *name, long long dflt, unsigned int flags, const char *enum_spec) {
    char *spec = strdup(enum_spec);
    const char *names[64];
    int values[64];
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(spec, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon) continue;
        *colon = '\0';
        names[n] = tok;
        values[n] = atoi(colon + 1);
        n++;
    }
    /* Redis copies the names, so the spec buffer can go right after. */
    int rc = RedisModule_RegisterEnumConfig(registration_ctx, name, (int)dflt, flags, names, values, n, get_enum,
                                            set_enum, NULL, cfg);
    free(spec);
    return rc;
}

SHIM_EXPORT int rr_register_config(int id, const char *name, int type, const char *default_string,
                                   long long default_number, long long min, long long max, int flags,
                                   const char *enum_spec) {
    if (!registration_ctx) return RM_ERR;
    JavaConfig *cfg = calloc(1, sizeof(*cfg));
    cfg->id = id;
    unsigned int f = (unsigned int)flags;
    switch (type) {
    case CFG_STRING:
        return RedisModule_RegisterStringConfig(registration_ctx, name, default_string, f, get_string, set_string,
                                                NULL, cfg);
    case CFG_BOOL:
        return RedisModule_RegisterBoolConfig(registration_ctx, name, (int)default_number, f, get_bool, set_bool,
                                              NULL, cfg);
    case CFG_NUMERIC:
        return RedisModule_RegisterNumericConfig(registration_ctx, name, default_number, f, min, max, get_numeric,
                                                 set_numeric, NULL, cfg);
    case CFG_ENUM:
        return register_enum(cfg, name, default_number, f, enum_spec);
    default:
        free(cfg);
        return RM_ERR;
    }
}
