/*
 * The subset of the Redis module API (as of Redis 7.0) that the shim uses,
 * declared here by hand. Redis hands every function out by name through the
 * GetApi pointer stored in the first word of the module context; rm_api_init()
 * resolves them all and fails if the running server lacks one.
 */
#ifndef REDISRAFT_RM_API_H
#define REDISRAFT_RM_API_H

#include <stddef.h>
#include <stdint.h>

#define RM_OK 0
#define RM_ERR 1
#define RM_APIVER_1 1
#define RM_TYPE_METHOD_VERSION 4

/* Module config flags */
#define RM_CONFIG_DEFAULT 0
#define RM_CONFIG_IMMUTABLE (1u << 0)
#define RM_CONFIG_SENSITIVE (1u << 1)
#define RM_CONFIG_HIDDEN (1u << 4)
#define RM_CONFIG_MEMORY (1u << 7)
#define RM_CONFIG_BITFLAGS (1u << 8)

/* Context flags */
#define RM_CTX_FLAGS_LUA (1 << 0)
#define RM_CTX_FLAGS_MULTI (1 << 1)
#define RM_CTX_FLAGS_LOADING (1 << 13)
#define RM_CTX_FLAGS_ACTIVE_CHILD (1 << 18)
#define RM_CTX_FLAGS_IS_CHILD (1 << 20)
#define RM_CTX_FLAGS_DENY_BLOCKING (1 << 21)
#define RM_CTX_FLAGS_RESP3 (1 << 22)

#define RM_AUX_BEFORE_RDB (1 << 0)

#define RM_REPLY_STRING 0
#define RM_REPLY_ERROR 1

/* Key access (RedisModule_OpenKey) and expiry */
#define RM_READ (1 << 0)
#define RM_WRITE (1 << 1)
#define RM_OPEN_KEY_NOTOUCH (1 << 16)
/* RedisModule_SetModuleOptions: closing a key opened for writing does not signal it modified. */
#define RM_OPTION_NO_IMPLICIT_SIGNAL_MODIFIED (1 << 1)
#define RM_NO_EXPIRE (-1LL)
#define RM_KEYTYPE_EMPTY 0
#define RM_NOTIFY_EXPIRED (1 << 8)

/* Reasons of RedisModule_ACLAddLogEntry */
#define RM_ACL_LOG_CMD 1
#define RM_ACL_LOG_KEY 2
#define RM_ACL_LOG_CHANNEL 3

/* Server events (id, data version) and sub-events */
#define RM_EVENT_LOADING 3
#define RM_EVENT_CLIENT_CHANGE 4
#define RM_EVENT_SHUTDOWN 5
#define RM_EVENT_MODULE_CHANGE 9
#define RM_SUBEVENT_LOADING_ENDED 3
#define RM_SUBEVENT_LOADING_FAILED 4
#define RM_SUBEVENT_CLIENT_CHANGE_CONNECTED 0
#define RM_SUBEVENT_CLIENT_CHANGE_DISCONNECTED 1

typedef struct RedisModuleCtx RedisModuleCtx;
typedef struct RedisModuleString RedisModuleString;
typedef struct RedisModuleCallReply RedisModuleCallReply;
typedef struct RedisModuleBlockedClient RedisModuleBlockedClient;
typedef struct RedisModuleCommandFilterCtx RedisModuleCommandFilterCtx;
typedef struct RedisModuleCommandFilter RedisModuleCommandFilter;
typedef struct RedisModuleInfoCtx RedisModuleInfoCtx;
typedef struct RedisModuleIO RedisModuleIO;
typedef struct RedisModuleType RedisModuleType;
typedef struct RedisModuleDigest RedisModuleDigest;
typedef struct RedisModuleKey RedisModuleKey;
typedef struct RedisModuleUser RedisModuleUser;
typedef struct RedisModuleScanCursor RedisModuleScanCursor;
typedef struct RedisModuleServerInfoData RedisModuleServerInfoData;
typedef uint64_t RedisModuleTimerID;

typedef struct RedisModuleEvent {
    uint64_t id;
    uint64_t dataver;
} RedisModuleEvent;

/* Data passed with RM_EVENT_CLIENT_CHANGE (version 1 layout) */
typedef struct RedisModuleClientInfoV1 {
    uint64_t version;
    uint64_t flags;
    uint64_t id;
    char addr[46];
    uint16_t port;
    uint16_t db;
} RedisModuleClientInfoV1;

typedef int (*RedisModuleCmdFunc)(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
typedef void (*RedisModuleCommandFilterFunc)(RedisModuleCommandFilterCtx *filter);
typedef void (*RedisModuleEventLoopOneShotFunc)(void *user_data);
typedef void (*RedisModuleTimerProc)(RedisModuleCtx *ctx, void *data);
typedef void (*RedisModuleForkDoneHandler)(int exitcode, int bysignal, void *user_data);
typedef void (*RedisModuleInfoFunc)(RedisModuleInfoCtx *ctx, int for_crash_report);
typedef void (*RedisModuleEventCallback)(RedisModuleCtx *ctx, RedisModuleEvent eid, uint64_t subevent, void *data);
typedef void (*RedisModuleScanCB)(RedisModuleCtx *ctx, RedisModuleString *keyname, RedisModuleKey *key, void *privdata);
typedef int (*RedisModuleNotificationFunc)(RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key);
typedef void (*RedisModuleUserChangedFunc)(uint64_t client_id, void *privdata);

typedef RedisModuleString *(*RedisModuleConfigGetStringFunc)(const char *name, void *privdata);
typedef long long (*RedisModuleConfigGetNumericFunc)(const char *name, void *privdata);
typedef int (*RedisModuleConfigGetBoolFunc)(const char *name, void *privdata);
typedef int (*RedisModuleConfigGetEnumFunc)(const char *name, void *privdata);
typedef int (*RedisModuleConfigSetStringFunc)(const char *name, RedisModuleString *val, void *privdata, RedisModuleString **err);
typedef int (*RedisModuleConfigSetNumericFunc)(const char *name, long long val, void *privdata, RedisModuleString **err);
typedef int (*RedisModuleConfigSetBoolFunc)(const char *name, int val, void *privdata, RedisModuleString **err);
typedef int (*RedisModuleConfigSetEnumFunc)(const char *name, int val, void *privdata, RedisModuleString **err);
typedef int (*RedisModuleConfigApplyFunc)(RedisModuleCtx *ctx, void *privdata, RedisModuleString **err);

typedef void *(*RedisModuleTypeLoadFunc)(RedisModuleIO *rdb, int encver);
typedef void (*RedisModuleTypeSaveFunc)(RedisModuleIO *rdb, void *value);
typedef int (*RedisModuleTypeAuxLoadFunc)(RedisModuleIO *rdb, int encver, int when);
typedef void (*RedisModuleTypeAuxSaveFunc)(RedisModuleIO *rdb, int when);
typedef void (*RedisModuleTypeFreeFunc)(void *value);

/* Layout of RedisModuleTypeMethods, version 4 (Redis 7.0). Only the aux
 * callbacks are used; the remaining slots must stay NULL. */
typedef struct RedisModuleTypeMethods {
    uint64_t version;
    RedisModuleTypeLoadFunc rdb_load;
    RedisModuleTypeSaveFunc rdb_save;
    void *aof_rewrite;
    void *mem_usage;
    void *digest;
    RedisModuleTypeFreeFunc free;
    RedisModuleTypeAuxLoadFunc aux_load;
    RedisModuleTypeAuxSaveFunc aux_save;
    int aux_save_triggers;
    void *free_effort;
    void *unlink;
    void *copy;
    void *defrag;
    void *mem_usage2;
    void *free_effort2;
    void *unlink2;
    void *copy2;
} RedisModuleTypeMethods;

/* X(return type, name, parameter list) for every API function we call. */
#define RM_API_FUNCTIONS(X) \
    X(void, SetModuleAttribs, (RedisModuleCtx *ctx, const char *name, int ver, int apiver)) \
    X(int, IsModuleNameBusy, (const char *name)) \
    X(int, CreateCommand, (RedisModuleCtx *ctx, const char *name, RedisModuleCmdFunc fn, const char *flags, int firstkey, int lastkey, int keystep)) \
    X(int, WrongArity, (RedisModuleCtx *ctx)) \
    X(int, ReplyWithLongLong, (RedisModuleCtx *ctx, long long ll)) \
    X(int, ReplyWithError, (RedisModuleCtx *ctx, const char *err)) \
    X(int, ReplyWithSimpleString, (RedisModuleCtx *ctx, const char *msg)) \
    X(int, ReplyWithArray, (RedisModuleCtx *ctx, long len)) \
    X(int, ReplyWithStringBuffer, (RedisModuleCtx *ctx, const char *buf, size_t len)) \
    X(int, ReplyWithCallReply, (RedisModuleCtx *ctx, RedisModuleCallReply *reply)) \
    X(int, ReplyWithNull, (RedisModuleCtx *ctx)) \
    X(int, ReplyWithNullArray, (RedisModuleCtx *ctx)) \
    X(int, ReplyWithMap, (RedisModuleCtx *ctx, long len)) \
    X(RedisModuleBlockedClient *, BlockClient, (RedisModuleCtx *ctx, RedisModuleCmdFunc reply_cb, RedisModuleCmdFunc timeout_cb, void (*free_privdata)(RedisModuleCtx *, void *), long long timeout_ms)) \
    X(int, UnblockClient, (RedisModuleBlockedClient *bc, void *privdata)) \
    X(void *, GetBlockedClientPrivateData, (RedisModuleCtx *ctx)) \
    X(RedisModuleCallReply *, Call, (RedisModuleCtx *ctx, const char *cmdname, const char *fmt, ...)) \
    X(int, CallReplyType, (RedisModuleCallReply *reply)) \
    X(const char *, CallReplyProto, (RedisModuleCallReply *reply, size_t *len)) \
    X(const char *, CallReplyStringPtr, (RedisModuleCallReply *reply, size_t *len)) \
    X(void, FreeCallReply, (RedisModuleCallReply *reply)) \
    X(RedisModuleString *, CreateString, (RedisModuleCtx *ctx, const char *ptr, size_t len)) \
    X(void, FreeString, (RedisModuleCtx *ctx, RedisModuleString *str)) \
    X(const char *, StringPtrLen, (const RedisModuleString *str, size_t *len)) \
    X(void, Log, (RedisModuleCtx *ctx, const char *level, const char *fmt, ...)) \
    X(RedisModuleCtx *, GetDetachedThreadSafeContext, (RedisModuleCtx *ctx)) \
    X(int, EventLoopAddOneShot, (RedisModuleEventLoopOneShotFunc fn, void *user_data)) \
    X(RedisModuleTimerID, CreateTimer, (RedisModuleCtx *ctx, long long period, RedisModuleTimerProc fn, void *data)) \
    X(RedisModuleCommandFilter *, RegisterCommandFilter, (RedisModuleCtx *ctx, RedisModuleCommandFilterFunc fn, int flags)) \
    X(int, CommandFilterArgsCount, (RedisModuleCommandFilterCtx *fctx)) \
    X(RedisModuleString *, CommandFilterArgGet, (RedisModuleCommandFilterCtx *fctx, int pos)) \
    X(int, CommandFilterArgInsert, (RedisModuleCommandFilterCtx *fctx, int pos, RedisModuleString *arg)) \
    X(int, RegisterStringConfig, (RedisModuleCtx *ctx, const char *name, const char *default_val, unsigned int flags, RedisModuleConfigGetStringFunc getfn, RedisModuleConfigSetStringFunc setfn, RedisModuleConfigApplyFunc applyfn, void *privdata)) \
    X(int, RegisterBoolConfig, (RedisModuleCtx *ctx, const char *name, int default_val, unsigned int flags, RedisModuleConfigGetBoolFunc getfn, RedisModuleConfigSetBoolFunc setfn, RedisModuleConfigApplyFunc applyfn, void *privdata)) \
    X(int, RegisterEnumConfig, (RedisModuleCtx *ctx, const char *name, int default_val, unsigned int flags, const char **enum_values, const int *int_values, int num_enum_vals, RedisModuleConfigGetEnumFunc getfn, RedisModuleConfigSetEnumFunc setfn, RedisModuleConfigApplyFunc applyfn, void *privdata)) \
    X(int, RegisterNumericConfig, (RedisModuleCtx *ctx, const char *name, long long default_val, unsigned int flags, long long min, long long max, RedisModuleConfigGetNumericFunc getfn, RedisModuleConfigSetNumericFunc setfn, RedisModuleConfigApplyFunc applyfn, void *privdata)) \
    X(int, LoadConfigs, (RedisModuleCtx *ctx)) \
    X(int, RegisterInfoFunc, (RedisModuleCtx *ctx, RedisModuleInfoFunc fn)) \
    X(int, InfoAddSection, (RedisModuleInfoCtx *ctx, const char *name)) \
    X(int, InfoAddFieldCString, (RedisModuleInfoCtx *ctx, const char *field, const char *value)) \
    X(int, Fork, (RedisModuleForkDoneHandler fn, void *user_data)) \
    X(int, ExitFromChild, (int retcode)) \
    X(int, KillForkChild, (int child_pid)) \
    X(RedisModuleType *, CreateDataType, (RedisModuleCtx *ctx, const char *name, int encver, RedisModuleTypeMethods *methods)) \
    X(void, SaveStringBuffer, (RedisModuleIO *io, const char *str, size_t len)) \
    X(char *, LoadStringBuffer, (RedisModuleIO *io, size_t *len)) \
    X(void, SaveUnsigned, (RedisModuleIO *io, uint64_t value)) \
    X(uint64_t, LoadUnsigned, (RedisModuleIO *io)) \
    X(int, IsIOError, (RedisModuleIO *io)) \
    X(void, Free, (void *ptr)) \
    X(int, SubscribeToServerEvent, (RedisModuleCtx *ctx, RedisModuleEvent event, RedisModuleEventCallback fn)) \
    X(unsigned long long, GetClientId, (RedisModuleCtx *ctx)) \
    X(int, GetContextFlags, (RedisModuleCtx *ctx)) \
    X(int, GetSelectedDb, (RedisModuleCtx *ctx)) \
    X(int, StringToLongLong, (const RedisModuleString *str, long long *ll)) \
    X(int, SelectDb, (RedisModuleCtx *ctx, int newid)) \
    X(int, GetServerVersion, (void)) \
    X(float, GetUsedMemoryRatio, (void)) \
    X(void, SetModuleOptions, (RedisModuleCtx *ctx, int options)) \
    X(int *, GetCommandKeys, (RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int *num_keys)) \
    X(RedisModuleKey *, OpenKey, (RedisModuleCtx *ctx, RedisModuleString *keyname, int mode)) \
    X(void, CloseKey, (RedisModuleKey *key)) \
    X(long long, GetExpire, (RedisModuleKey *key)) \
    X(int, DeleteKey, (RedisModuleKey *key)) \
    X(int, SignalModifiedKey, (RedisModuleCtx *ctx, RedisModuleString *keyname)) \
    X(int, NotifyKeyspaceEvent, (RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key)) \
    X(int, SubscribeToKeyspaceEvents, (RedisModuleCtx *ctx, int types, RedisModuleNotificationFunc callback)) \
    X(RedisModuleScanCursor *, ScanCursorCreate, (void)) \
    X(int, Scan, (RedisModuleCtx *ctx, RedisModuleScanCursor *cursor, RedisModuleScanCB fn, void *privdata)) \
    X(void, ScanCursorRestart, (RedisModuleScanCursor *cursor)) \
    X(RedisModuleServerInfoData *, GetServerInfo, (RedisModuleCtx *ctx, const char *section)) \
    X(const char *, ServerInfoGetFieldC, (RedisModuleServerInfoData *data, const char *field)) \
    X(void, FreeServerInfo, (RedisModuleCtx *ctx, RedisModuleServerInfoData *data)) \
    X(int, KeyType, (RedisModuleKey *key)) \
    X(RedisModuleString *, GetCurrentUserName, (RedisModuleCtx *ctx)) \
    X(RedisModuleUser *, GetModuleUserFromUserName, (RedisModuleString *name)) \
    X(RedisModuleUser *, CreateModuleUser, (const char *name)) \
    X(void, FreeModuleUser, (RedisModuleUser *user)) \
    X(int, SetModuleUserACL, (RedisModuleUser *user, const char *acl)) \
    X(void, SetContextUser, (RedisModuleCtx *ctx, const RedisModuleUser *user)) \
    X(int, ACLCheckCommandPermissions, (RedisModuleUser *user, RedisModuleString **argv, int argc)) \
    X(void, ACLAddLogEntry, (RedisModuleCtx *ctx, RedisModuleUser *user, RedisModuleString *object, int reason)) \
    X(int, AuthenticateClientWithACLUser, (RedisModuleCtx *ctx, const char *name, size_t len, RedisModuleUserChangedFunc callback, void *privdata, uint64_t *client_id)) \
    X(int, RedactClientCommandArgument, (RedisModuleCtx *ctx, int pos)) \
    X(size_t, CallReplyLength, (RedisModuleCallReply *reply)) \
    X(RedisModuleCallReply *, CallReplyArrayElement, (RedisModuleCallReply *reply, size_t idx))

/* Functions of later Redis versions: NULL where the server lacks them (Redis 7.0). */
#define RM_OPTIONAL_FUNCTIONS(X) \
    X(unsigned long long, CommandFilterGetClientId, (RedisModuleCommandFilterCtx *fctx))

#define RM_DECLARE(ret, name, params) extern ret(*RedisModule_##name) params;
RM_API_FUNCTIONS(RM_DECLARE)
RM_OPTIONAL_FUNCTIONS(RM_DECLARE)
#undef RM_DECLARE

/* Resolves every function above and registers the module name. Returns RM_ERR
 * (after logging which one) if the server lacks a required function or the name is taken. */
int rm_api_init(RedisModuleCtx *ctx, const char *module_name, int module_version);

#endif
