/*
 * Creating the JVM inside redis-server.
 *
 * libjvm.so is dlopen'ed at run time (not linked) so that a missing or broken
 * JDK is a clear log line instead of a failed module load. It is searched in
 * raft.java-home, then $JAVA_HOME, then the JDK the shim was built against.
 */
#include <dlfcn.h>
#include <jni.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

#ifndef REDISRAFT_BUILD_LIBJVM
#define REDISRAFT_BUILD_LIBJVM "libjvm.so"
#endif

/* Options of raft.jvm-options; the shim adds up to 5 of its own. */
#define MAX_USER_JVM_OPTIONS 60
#define MAX_JVM_OPTIONS (MAX_USER_JVM_OPTIONS + 5)

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

#define ARCHIVE_NAME "redisraft.jsa"
/* A directory's path, the archive's name, and room for ".key" or the option's name. */
#define ARCHIVE_PATH_MAX (PATH_MAX + 32)
#define ARCHIVE_OPTION_MAX (ARCHIVE_PATH_MAX + 32)

/* "<real path>:<mtime>:<size>" of a file, as scripts/cds-archive.sh writes it; 0 if it cannot be read. */
static int file_key(const char *path, char *out, size_t outlen) {
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0) return 0;
    snprintf(out, outlen, "%s:%lld:%lld", real, (long long)st.st_mtime, (long long)st.st_size);
    return 1;
}

/*
 * The class-data sharing archive the build made next to the jar (scripts/cds-archive.sh),
 * if it was made for this very jar and JVM library. HotSpot would refuse a stale archive
 * by itself, but then it shares nothing at all, not even the JDK's own classes.
 * Writes "-XX:SharedArchiveFile=<path>" into option; returns 0 when there is none to use.
 */
static int archive_option(const char *libjvm, const char *jar, char *option, size_t optlen) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", jar);
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *slash = '\0';

    char archive[ARCHIVE_PATH_MAX], key_path[ARCHIVE_PATH_MAX + 8];
    snprintf(archive, sizeof(archive), "%s/%s", dir, ARCHIVE_NAME);
    snprintf(key_path, sizeof(key_path), "%s.key", archive);
    char recorded[3 * PATH_MAX] = "";
    FILE *f = fopen(key_path, "r");
    if (!f) return 0;
    int read_ok = fgets(recorded, sizeof(recorded), f) != NULL;
    fclose(f);
    recorded[strcspn(recorded, "\n")] = '\0';

    char jvm_key[PATH_MAX + 64], jar_key[PATH_MAX + 64], expected[3 * PATH_MAX];
    if (!read_ok || !file_key(libjvm, jvm_key, sizeof(jvm_key)) || !file_key(jar, jar_key, sizeof(jar_key))) return 0;
    snprintf(expected, sizeof(expected), "libjvm=%s jar=%s", jvm_key, jar_key);
    if (strcmp(recorded, expected) != 0 || access(archive, R_OK) != 0) {
        shim_logf("verbose", "not using %s: made for another jar or JVM", archive);
        return 0;
    }
    snprintf(option, optlen, "-XX:SharedArchiveFile=%s", archive);
    return 1;
}

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
    /* Before raft.jvm-options, so that -Xshare:off or another archive given there wins. */
    char archive[ARCHIVE_OPTION_MAX];
    if (archive_option(libjvm, classpath, archive, sizeof(archive))) options[n++].optionString = archive;

    char *opts = strdup(jvm_options ? jvm_options : "");
    char *save = NULL;
    int user_options = 0;
    for (char *tok = strtok_r(opts, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (user_options++ == MAX_USER_JVM_OPTIONS) {
            snprintf(err, errlen, "too many options in raft.jvm-options (at most %d)", MAX_USER_JVM_OPTIONS);
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
