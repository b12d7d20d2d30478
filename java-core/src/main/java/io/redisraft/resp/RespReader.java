package io.redisraft.resp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decodes RESP2 values from a stream or a byte array. */
public final class RespReader {
    private final InputStream in;

    public RespReader(InputStream in) {
        this.in = in;
    }

    public static Resp parse(byte[] bytes) {
        try {
            return new RespReader(new java.io.ByteArrayInputStream(bytes)).read();
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed RESP: " + e.getMessage(), e);
        }
    }

    public Resp read() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed");
        String line = readLine();
        switch (type) {
            case '+':
                return new Resp.Simple(line);
            case '-':
                return new Resp.Error(line);
            case ':':
                return new Resp.Int(parseLong(line));
            case '$': {
                long len = parseLong(line);
                if (len < 0) return Resp.NULL;
                byte[] data = in.readNBytes((int) len);
                if (data.length != len) throw new EOFException("truncated bulk string");
                readLine();
                return new Resp.Bulk(data);
            }
            case '*': {
                long n = parseLong(line);
                if (n < 0) return Resp.NULL_ARRAY;
                List<Resp> items = new ArrayList<>((int) Math.min(n, 1024));
                for (long i = 0; i < n; i++) items.add(read());
                return new Resp.Array(items);
            }
            default:
                throw new IOException("unsupported RESP type '" + (char) type + "'");
        }
    }

    private static long parseLong(String s) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("bad RESP length or integer: " + s);
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed");
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("malformed line ending");
                return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
            sb.append((char) c);
        }
    }
}
