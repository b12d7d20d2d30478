/*
 * Creating the JVM inside redis-server.
 *
 * libjvm.so is dlopen'ed at run time (not linked) so that a missing or broken
 * JDK is a clear log line instead of a failed module load. It is searched in
 * raft.java-home, then $JAVA_HOME, then the JDK the shim was built against.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#ifndef REDISRAFT_BUILD_LIBJVM
#define REDISRAFT_BUILD_LIBJVM "libjvm.so"
#endif

#define MAX_JVM_OPTIONS 64

typedef jint (*CreateJavaVMFunc)(JavaVM **vm, void **env, void *args);

JavaVM *g_vm;
JNIEnv *g_env;

/* HotSpot prints its own warnings through this hook; send them to the Redis log
 * instead of a stderr that a daemonized Redis has closed. */
static jint JNICALL jvm_vfprintf(FILE *fp, const char *fmt, va_list ap) {
    (void)fp;
    char line[1024];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len > 0) shim_logf("warning", "jvm: %s", line);
    return n;
}

static void JNICALL jvm_abort(void) { shim_logf("warning", "the JVM aborted"); }

static void resolve_libjvm(const char *java_home, char *out, size_t outlen) {
    const char *home = (java_home && *java_home) ? java_home : getenv("JAVA_HOME");
    if (home && *home) {
        snprintf(out, outlen, "%s/lib/server/libjvm.so", home);
    } else {
        snprintf(out, outlen, "%s", REDISRAFT_BUILD_LIBJVM);
    }
}

int jvm_is_running(void) { return g_vm != NULL; }

int jvm_boot(const char *java_home, const char *jvm_options, const char *classpath, char *err, size_t errlen) {
    char libjvm[4096];
    resolve_libjvm(java_home, libjvm, sizeof(libjvm));
    if (access(libjvm, R_OK) != 0) {
        snprintf(err, errlen,
                 "cannot find the JVM library %s (set raft.java-home or JAVA_HOME to a JDK 17+ home)", libjvm);
        return RM_ERR;
    }
    void *handle = dlopen(libjvm, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(err, errlen, "cannot load the JVM library %s: %s", libjvm, dlerror());
        return RM_ERR;
    }
    CreateJavaVMFunc create = (CreateJavaVMFunc)dlsym(handle, "JNI_CreateJavaVM");
    if (!create) {
        snprintf(err, errlen, "%s has no JNI_CreateJavaVM", libjvm);
        return RM_ERR;
    }

    JavaVMOption options[MAX_JVM_OPTIONS];
    int n = 0;
    char *cp_option = malloc(strlen(classpath) + 32);
    sprintf(cp_option, "-Djava.class.path=%s", classpath);
    options[n++].optionString = cp_option;
    /* Without -Xrs the JVM takes over SIGTERM/SIGINT and Redis never runs its shutdown. */
    options[n++].optionString = "-Xrs";
    options[n].optionString = "vfprintf";
    options[n++].extraInfo = (void *)jvm_vfprintf;
    options[n].optionString = "abort";
    options[n++].extraInfo = (void *)jvm_abort;

    char *opts = strdup(jvm_options ? jvm_options : "");
    char *save = NULL;
    for (char *tok = strtok_r(opts, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (n == MAX_JVM_OPTIONS) {
            snprintf(err, errlen, "too many options in raft.jvm-options (at most %d)", MAX_JVM_OPTIONS - 4);
            free(opts);
            free(cp_option);
            return RM_ERR;
        }
        options[n++].optionString = tok;
    }

    JavaVMInitArgs args;
    memset(&args, 0, sizeof(args));
    args.version = JNI_VERSION_1_8;
    args.nOptions = n;
    args.options = options;
    args.ignoreUnrecognized = JNI_FALSE;

    jint rc = create(&g_vm, (void **)&g_env, &args);
    free(opts);
    free(cp_option);
    if (rc != JNI_OK) {
        g_vm = NULL;
        g_env = NULL;
        snprintf(err, errlen, "JNI_CreateJavaVM failed with code %d (check raft.jvm-options)", (int)rc);
        return RM_ERR;
    }
    return RM_OK;
}
