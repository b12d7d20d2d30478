/*
 * Calls from the shim into Java (class io.redisraft.bridge.ModuleBridge).
 *
 * Only the Redis main thread calls into Java from C; it created the JVM and stays
 * attached. Every call runs inside its own JNI local frame, because a native thread
 * that never returns to Java would otherwise accumulate local references forever.
 * A Java exception never propagates into Redis: it is logged and cleared here.
 */
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

extern JNIEnv *g_env;

#define BRIDGE_CLASS "io/redisraft/bridge/ModuleBridge"

static jclass bridge_class;
static jclass byte_array_class;

/* X(field, java name, JNI signature) */
#define BRIDGE_METHODS(X)                                           \
    X(boot, "boot", "(Ljava/lang/String;)Ljava/lang/String;")       \
    X(configs_loaded, "configsLoaded", "()Ljava/lang/String;")      \
    X(config_set, "configSet", "(ILjava/lang/String;)Ljava/lang/String;") \
    X(config_get, "configGet", "(I)Ljava/lang/String;")             \
    X(command, "command", "(JJIII[[B)V")                             \
    X(internal_call, "internalCall", "(JJZI[[B)V")                   \
    X(drain, "drain", "()V")                                        \
    X(info, "info", "(J)V")                                         \
    X(client_connected, "clientConnected", "(J)V")                  \
    X(client_disconnected, "clientDisconnected", "(J)V")            \
    X(server_ready, "serverReady", "()V")                           \
    X(shutdown, "shutdown", "()V")                                  \
    X(fork_done, "forkDone", "(II)V")

#define DECLARE_METHOD(field, name, sig) static jmethodID m_##field;
BRIDGE_METHODS(DECLARE_METHOD)
#undef DECLARE_METHOD

static int usable(void) { return g_env != NULL && bridge_class != NULL && !shim_in_fork_child(); }

/* Logs and clears a pending Java exception. Returns 1 if there was one. */
static int check_exception(const char *where) {
    JNIEnv *env = g_env;
    if (!(*env)->ExceptionCheck(env)) return 0;
    jthrowable ex = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    const char *text = "(no description)";
    jstring desc = NULL;
    jclass cls = (*env)->FindClass(env, "java/lang/Object");
    if (cls) {
        jmethodID to_string = (*env)->GetMethodID(env, cls, "toString", "()Ljava/lang/String;");
        if (to_string) desc = (jstring)(*env)->CallObjectMethod(env, ex, to_string);
    }
    if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
    const char *chars = desc ? (*env)->GetStringUTFChars(env, desc, NULL) : NULL;
    if (chars) text = chars;
    shim_logf("warning", "Java failed in %s: %s", where, text);
    if (chars) (*env)->ReleaseStringUTFChars(env, desc, chars);
    return 1;
}

/* Copies a Java string into malloc'ed memory (NULL stays NULL). */
static char *take_string(jstring s) {
    if (!s) return NULL;
    const char *chars = (*g_env)->GetStringUTFChars(g_env, s, NULL);
    if (!chars) return NULL;
    char *copy = strdup(chars);
    (*g_env)->ReleaseStringUTFChars(g_env, s, chars);
    return copy;
}

static int depth;

int bridge_depth(void) { return depth; }

/* Every call into Java runs between these two. */
static int push_frame(void) {
    if ((*g_env)->PushLocalFrame(g_env, 32) != 0) return 0;
    depth++;
    return 1;
}

static void pop_frame(void) {
    depth--;
    (*g_env)->PopLocalFrame(g_env, NULL);
}

int bridge_init(char *err, size_t errlen) {
    JNIEnv *env = g_env;
    jclass local = (*env)->FindClass(env, BRIDGE_CLASS);
    if (!local) {
        (*env)->ExceptionClear(env);
        snprintf(err, errlen, "class %s not found in the module jar", BRIDGE_CLASS);
        return RM_ERR;
    }
    bridge_class = (*env)->NewGlobalRef(env, local);
    jclass bytes = (*env)->FindClass(env, "[B");
    byte_array_class = (*env)->NewGlobalRef(env, bytes);
#define LOOKUP_METHOD(field, name, sig)                                            \
    m_##field = (*env)->GetStaticMethodID(env, bridge_class, name, sig);           \
    if (!m_##field) {                                                              \
        (*env)->ExceptionClear(env);                                               \
        snprintf(err, errlen, "method %s.%s%s not found", BRIDGE_CLASS, name, sig); \
        bridge_class = NULL;                                                       \
        return RM_ERR;                                                             \
    }
    BRIDGE_METHODS(LOOKUP_METHOD)
#undef LOOKUP_METHOD
    return RM_OK;
}

/* Runs a static String-returning method; a non-NULL result or an exception is an error. */
static int call_for_error(jmethodID method, jstring arg, const char *where, char *err, size_t errlen) {
    jstring result = arg ? (jstring)(*g_env)->CallStaticObjectMethod(g_env, bridge_class, method, arg)
                         : (jstring)(*g_env)->CallStaticObjectMethod(g_env, bridge_class, method);
    if (check_exception(where)) {
        snprintf(err, errlen, "Java initialisation threw an exception in %s (see the log)", where);
        return RM_ERR;
    }
    char *msg = take_string(result);
    if (msg) {
        snprintf(err, errlen, "%s", msg);
        free(msg);
        return RM_ERR;
    }
    return RM_OK;
}

int bridge_boot(const char *shim_path, char *err, size_t errlen) {
    if (!push_frame()) return RM_ERR;
    jstring path = (*g_env)->NewStringUTF(g_env, shim_path);
    int rc = call_for_error(m_boot, path, "boot", err, errlen);
    pop_frame();
    return rc;
}

int bridge_configs_loaded(char *err, size_t errlen) {
    if (!push_frame()) return RM_ERR;
    int rc = call_for_error(m_configs_loaded, NULL, "configsLoaded", err, errlen);
    pop_frame();
    return rc;
}

char *bridge_config_set(int id, const char *value) {
    if (!usable()) return strdup("the module is not initialised");
    if (!push_frame()) return strdup("out of memory");
    jstring v = (*g_env)->NewStringUTF(g_env, value);
    jstring result = (jstring)(*g_env)->CallStaticObjectMethod(g_env, bridge_class, m_config_set, (jint)id, v);
    char *msg = check_exception("configSet") ? strdup("internal error, see the log") : take_string(result);
    pop_frame();
    return msg;
}

char *bridge_config_get(int id) {
    if (!usable() || !push_frame()) return NULL;
    jstring result = (jstring)(*g_env)->CallStaticObjectMethod(g_env, bridge_class, m_config_get, (jint)id);
    char *value = check_exception("configGet") ? NULL : take_string(result);
    pop_frame();
    return value;
}

/* A Java byte[][] holding argv (NULL on failure, with a Java exception pending). */
static jobjectArray to_java_args(RedisModuleString **argv, int argc) {
    JNIEnv *env = g_env;
    jobjectArray args = (*env)->NewObjectArray(env, argc, byte_array_class, NULL);
    for (int i = 0; args && i < argc; i++) {
        size_t len;
        const char *p = RedisModule_StringPtrLen(argv[i], &len);
        jbyteArray a = (*env)->NewByteArray(env, (jsize)len);
        if (!a) return NULL;
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)p);
        (*env)->SetObjectArrayElement(env, args, i, a);
        (*env)->DeleteLocalRef(env, a);
    }
    return args;
}

/*
 * Enters Java for a module command: pushes a frame and converts its arguments. On
 * failure it has replied with an error to ctx and returns NULL (no frame left pushed).
 */
static jobjectArray enter_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (!usable() || !push_frame()) {
        RedisModule_ReplyWithError(ctx, "ERR Raft module is not initialised");
        return NULL;
    }
    jobjectArray args = to_java_args(argv, argc);
    if (check_exception("command arguments") || !args) {
        RedisModule_ReplyWithError(ctx, "ERR out of memory in the Raft module");
        pop_frame();
        return NULL;
    }
    return args;
}

/* Leaves Java after a module command: an exception there becomes an error reply. */
static void leave_command(RedisModuleCtx *ctx, const char *where) {
    if (check_exception(where)) RedisModule_ReplyWithError(ctx, "ERR internal error in the Raft module, see the log");
    pop_frame();
}

void bridge_command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int security) {
    jobjectArray args = enter_command(ctx, argv, argc);
    if (!args) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_command, (jlong)(intptr_t)ctx,
                                   (jlong)RedisModule_GetClientId(ctx), (jint)RedisModule_GetContextFlags(ctx),
                                   (jint)security, (jint)RedisModule_GetSelectedDb(ctx), args);
    leave_command(ctx, "command");
}

void bridge_internal_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, long long now_ms, int applying,
                          int access) {
    jobjectArray args = enter_command(ctx, argv, argc);
    if (!args) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_internal_call, (jlong)(intptr_t)ctx, (jlong)now_ms,
                                   (jboolean)(applying != 0), (jint)access, args);
    leave_command(ctx, "internal call");
}

static void call_void(jmethodID method, const char *where) {
    if (!usable() || !push_frame()) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, method);
    check_exception(where);
    pop_frame();
}

void bridge_drain(void) { call_void(m_drain, "drain"); }
void bridge_server_ready(void) { call_void(m_server_ready, "serverReady"); }
void bridge_shutdown(void) { call_void(m_shutdown, "shutdown"); }

void bridge_info(RedisModuleInfoCtx *ictx) {
    if (!usable() || !push_frame()) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_info, (jlong)(intptr_t)ictx);
    check_exception("info");
    pop_frame();
}

void bridge_client_connected(uint64_t client_id) {
    if (!usable() || !push_frame()) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_client_connected, (jlong)client_id);
    check_exception("clientConnected");
    pop_frame();
}

void bridge_client_disconnected(uint64_t client_id) {
    if (!usable() || !push_frame()) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_client_disconnected, (jlong)client_id);
    check_exception("clientDisconnected");
    pop_frame();
}

void bridge_fork_done(int exitcode, int bysignal) {
    if (!usable() || !push_frame()) return;
    (*g_env)->CallStaticVoidMethod(g_env, bridge_class, m_fork_done, (jint)exitcode, (jint)bysignal);
    check_exception("forkDone");
    pop_frame();
}
