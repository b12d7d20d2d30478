#include "rm_api.h"

#include <stdio.h>

#define RM_DEFINE(ret, name, params) ret(*RedisModule_##name) params = NULL;
RM_API_FUNCTIONS(RM_DEFINE)
RM_OPTIONAL_FUNCTIONS(RM_DEFINE)
#undef RM_DEFINE

typedef int (*GetApiFunc)(const char *name, void *target);

int rm_api_init(RedisModuleCtx *ctx, const char *module_name, int module_version) {
    /* The server stores its GetApi function pointer in the first word of the context. */
    GetApiFunc get_api = (GetApiFunc)((void **)ctx)[0];
    int missing = 0;

#define RM_RESOLVE(ret, name, params)                                                   \
    if (get_api("RedisModule_" #name, (void *)&RedisModule_##name) != RM_OK ||          \
        RedisModule_##name == NULL) {                                                   \
        fprintf(stderr, "<raft> this Redis lacks module API RedisModule_%s\n", #name);  \
        missing++;                                                                      \
    }
    RM_API_FUNCTIONS(RM_RESOLVE)
#undef RM_RESOLVE
#define RM_RESOLVE_OPTIONAL(ret, name, params)                                     \
    if (get_api("RedisModule_" #name, (void *)&RedisModule_##name) != RM_OK) RedisModule_##name = NULL;
    RM_OPTIONAL_FUNCTIONS(RM_RESOLVE_OPTIONAL)
#undef RM_RESOLVE_OPTIONAL

    if (missing) return RM_ERR;
    if (RedisModule_IsModuleNameBusy(module_name)) return RM_ERR;
    RedisModule_SetModuleAttribs(ctx, module_name, module_version, RM_APIVER_1);
    return RM_OK;
}
