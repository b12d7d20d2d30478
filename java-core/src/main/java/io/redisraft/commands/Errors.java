package io.redisraft.commands;

import io.redisraft.resp.Resp;
import java.nio.charset.StandardCharsets;

/** Error replies shared by the command handlers (texts as RedisRaft and Redis word them). */
final class Errors {
    static final Resp NOT_SUPPORTED = Resp.error("ERR not supported by RedisRaft");
    static final Resp EXECABORT = Resp.error("EXECABORT Transaction discarded because of previous errors.");
    static final Resp NESTED_MULTI = Resp.error("ERR MULTI calls can not be nested");
    static final Resp EXEC_WITHOUT_MULTI = Resp.error("ERR EXEC without MULTI");
    static final Resp DISCARD_WITHOUT_MULTI = Resp.error("ERR DISCARD without MULTI");
    static final Resp WATCH_IN_MULTI = Resp.error("ERR WATCH inside MULTI is not allowed");
    static final Resp OOM = Resp.error("OOM command not allowed when used memory > 'maxmemory'.");

    private Errors() {}

    static Resp wrongArity(String command) {
        return Resp.error("ERR wrong number of arguments for '" + command + "' command");
    }

    static Resp unknownCommand(byte[][] argv) {
        StringBuilder sb = new StringBuilder("ERR unknown command '")
                .append(text(argv[0])).append("', with args beginning with: ");
        for (int i = 1; i < argv.length; i++) sb.append('\'').append(text(argv[i])).append("' ");
        return Resp.error(sb.toString());
    }

    static Resp tooLarge(long limit) {
        return Resp.error("ERR command is too large for the Raft log (at most " + limit + " bytes)");
    }

    static String text(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8);
    }
}
