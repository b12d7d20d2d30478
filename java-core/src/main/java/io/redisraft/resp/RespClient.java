package io.redisraft.resp;

import io.redisraft.config.HostPort;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** A minimal blocking Redis client for node-to-node requests (joining, forwarding). */
public final class RespClient implements Closeable {
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.in = new RespReader(new BufferedInputStream(socket.getInputStream()));
    }

    /** Connects (over TLS when {@code tls} is given), authenticating when a password is given. */
    public static RespClient connect(HostPort address, int connectTimeoutMs, int readTimeoutMs, String user,
                                     String password, SSLSocketFactory tls) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address.host(), address.port()), connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            s.setTcpNoDelay(true);
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.createSocket(s, address.host(), address.port(), true);
                s = secure;
                secure.startHandshake();
            }
            RespClient client = new RespClient(s);
            if (password != null && !password.isEmpty()) {
                Resp auth = client.call("AUTH", user, password);
                if (auth.isError()) throw new IOException("authentication failed: " + auth.asText());
            }
            return client;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public Resp call(byte[]... args) throws IOException {
        out.write(RespWriter.command(args));
        out.flush();
        return in.read();
    }

    public Resp call(String... args) throws IOException {
        out.write(RespWriter.command(args));
        out.flush();
        return in.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
