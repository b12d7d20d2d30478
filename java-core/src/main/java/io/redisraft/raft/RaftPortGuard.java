package io.redisraft.raft;

import io.redisraft.logging.RedisLog;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.netty.server.NettyRpcService;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.netty.buffer.ByteBuf;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandler;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Bounds what a connection to the Raft port may send. Ratis's Netty server reads each
 * message whole before it parses it, whatever length its prefix announces: a stranger
 * announcing 200 MB held 39 MB of the node's 64 MB of direct memory for as long as it kept
 * the connection open, and two such connections would have starved Raft's own traffic.
 * This guard, first in every accepted connection's pipeline, follows the varint length
 * prefixes of the messages as they arrive (without copying them) and closes a connection
 * whose message is longer than any a member sends, or whose prefix is malformed. Applies
 * to the Netty transport (the default); it is put in place by reflection into Ratis's
 * server (checked against Ratis 3.3.0), or not at all, with a warning.
 */
final class RaftPortGuard {
    private static final Method GET_CHANNEL = serverChannelMethod();
    /** Peers already logged, so that a stranger retrying does not flood the log. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private RaftPortGuard() {}

    /** Guards every connection the server accepts from now on: messages of at most {@code maxMessageBytes}. */
    static void install(RaftServer server, long maxMessageBytes) {
        if (!(server.getServerRpc() instanceof NettyRpcService rpc) || GET_CHANNEL == null) return;
        try {
            Channel listening = (Channel) GET_CHANNEL.invoke(rpc);
            listening.pipeline().addFirst("redisraft-accept-guard", new AcceptedConnections(maxMessageBytes));
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.warning("the Raft port takes messages of any length: " + e);
        }
    }

    /** On the listening channel: sees each accepted connection before Ratis sets it up. */
    @ChannelHandler.Sharable
    private static final class AcceptedConnections extends ChannelInboundHandlerAdapter {
        private final long maxMessageBytes;

        AcceptedConnections(long maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) accepted.pipeline().addFirst(new MessageLengths(maxMessageBytes));
            ctx.fireChannelRead(msg);
        }
    }

    /** Follows one connection's stream of (varint32 length, message) frames. */
    static final class MessageLengths extends ChannelInboundHandlerAdapter {
        private final long maxMessageBytes;
        /** Bytes of the current message still to come; -1 while a length prefix is read. */
        private long remaining = -1;
        private long length;
        private int shift;

        MessageLengths(long maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                String problem = follow(buf);
                if (problem != null) {
                    buf.release();
                    refuse(ctx.channel().remoteAddress(), problem);
                    ctx.close();
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** Reads the prefixes in buf (leaving it as it is); why the connection must be closed, or null. */
        String follow(ByteBuf buf) {
            int i = buf.readerIndex();
            int end = buf.writerIndex();
            while (i < end) {
                if (remaining > 0) {
                    long skip = Math.min(remaining, end - i);
                    i += (int) skip;
                    remaining -= skip;
                    continue;
                }
                if (remaining == 0) {
                    remaining = -1;
                    length = 0;
                    shift = 0;
                }
                byte b = buf.getByte(i++);
                length |= (long) (b & 0x7f) << shift;
                shift += 7;
                if ((b & 0x80) != 0) {
                    if (shift >= 35) return "a malformed message length";
                    continue;
                }
                if (length > maxMessageBytes) {
                    return "a message of " + length + " bytes (at most " + maxMessageBytes + " are accepted)";
                }
                remaining = length;
            }
            return null;
        }
    }

    private static void refuse(SocketAddress peer, String problem) {
        String who = String.valueOf(peer);
        String host = who.contains(":") ? who.substring(0, who.lastIndexOf(':')) : who;
        if (LOGGED.add(host)) {
            RedisLog.warning("Raft port: closed a connection from " + who + " that sent " + problem
                    + " (logged once per address)");
        }
    }

    private static Method serverChannelMethod() {
        try {
            Method m = NettyRpcService.class.getDeclaredMethod("getChannel");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            RedisLog.warning("Ratis internal getChannel not reachable: " + e);
            return null;
        }
    }
}
