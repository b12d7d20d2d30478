package io.redisraft.raft;

import io.redisraft.security.NodeTls;
import java.io.IOException;
import java.security.GeneralSecurityException;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;

/**
 * How nodes talk Raft to each other. Plain: Ratis's Netty transport, which measured
 * against gRPC on a 2-core box costs about a quarter less CPU per log entry (no HTTP/2
 * layer, fewer thread hand-offs); {@code -Dredisraft.transport=grpc} in raft.jvm-options
 * selects gRPC. Secured: gRPC with mutual TLS, the only Ratis transport that has TLS,
 * with the operator's certificates (raft.tls-enabled) or else, when raft.cluster-password
 * is set, with the certificate every member derives from it: as in RedisRaft, whose Raft
 * messages travel on connections authenticated with the cluster's credentials, only
 * members that know them get in. Every member of a cluster must make the same choice.
 */
record RaftTransport(SupportedRpcType type, GrpcTlsConfig tls) {
    /** {@code operatorTls}: raft.tls-enabled's settings, or null; {@code clusterPassword}: raft.cluster-password. */
    static RaftTransport choose(NodeTls operatorTls, String clusterPassword) throws IOException {
        if (operatorTls != null || clusterPassword.isEmpty()) return of(operatorTls);
        try {
            return of(NodeTls.fromClusterPassword(clusterPassword));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the Raft port's key from raft.cluster-password: " + e.getMessage(), e);
        }
    }

    static RaftTransport of(NodeTls nodeTls) {
        if (nodeTls != null) {
            GrpcTlsConfig tls = GrpcTlsConfig.newBuilder()
                    .setKeyManager(nodeTls.keyManager())
                    .setTrustManager(nodeTls.trustManager())
                    .setMutualTls(true)
                    // The JDK's TLS: no native library to unpack into a running redis-server.
                    .setSslProvider(SslProvider.JDK)
                    .build();
            return new RaftTransport(SupportedRpcType.GRPC, tls);
        }
        boolean grpc = "grpc".equals(System.getProperty("redisraft.transport"));
        return new RaftTransport(grpc ? SupportedRpcType.GRPC : SupportedRpcType.NETTY, null);
    }

    /**
     * For the Raft server. gRPC hands every incoming call to an executor thread by default;
     * running Ratis's handlers directly on the network threads saves a thread switch per
     * AppendEntries (handlers only enqueue work, they do not block for long).
     */
    Parameters serverParameters() {
        Parameters parameters = clientParameters();
        if (type == SupportedRpcType.GRPC && !Boolean.getBoolean("redisraft.grpc.executor")) {
            GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> builder.directExecutor());
        }
        return parameters;
    }

    /** For a Ratis client of the cluster (the follower proxy). */
    Parameters clientParameters() {
        Parameters parameters = new Parameters();
        if (tls != null) GrpcConfigKeys.TLS.setConf(parameters, tls);
        return parameters;
    }
}
