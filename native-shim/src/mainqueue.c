/*
 * Hand-off of work from Java threads to the Redis main thread.
 *
 * Java keeps the queue itself; rr_wakeup() only asks Redis to call Java's drain()
 * on the main thread (RM_EventLoopAddOneShot is thread-safe and FIFO). Java asks
 * for a wake-up only when its queue goes from empty to non-empty.
 *
 * One-shot callbacks can also fire from inside Redis's processEventsWhileBlocked:
 * while loading an RDB (including a DEBUG RELOAD issued by a queued task), while a
 * slow script runs, or while any call into Java is still on the stack. Then draining
 * must not start (it would apply entries under a running script or command): the
 * wake-up is turned into a timer, and timers only fire from the regular event loop.
 */
#include "shim.h"

static int draining;
static int deferred;

static void drain_now(void) {
    draining = 1;
    bridge_drain();
    draining = 0;
}

static void on_wakeup(void *data);

static void on_deferred_timer(RedisModuleCtx *ctx, void *data) {
    (void)ctx;
    deferred = 0;
    on_wakeup(data);
}

static void on_wakeup(void *data) {
    (void)data;
    if (shim_in_fork_child()) return;
    int busy = RedisModule_GetContextFlags(g_ctx) & (RM_CTX_FLAGS_LOADING | RM_CTX_FLAGS_LUA);
    if (draining || busy || bridge_depth() > 0 || g_internal_calls > 0) {
        if (!deferred) {
            deferred = 1;
            RedisModule_CreateTimer(g_ctx, 1, on_deferred_timer, NULL);
        }
        return;
    }
    drain_now();
}

int mainqueue_is_draining(void) { return draining; }

/* Thread-safe: may be called from any Java thread. */
SHIM_EXPORT void rr_wakeup(void) { RedisModule_EventLoopAddOneShot(on_wakeup, NULL); }
