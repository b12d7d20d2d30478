package io.redisraft.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes {@link Resp} values and commands in the RESP2 wire format. */
public final class RespWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private RespWriter() {}

    public static byte[] encode(Resp value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        write(out, value);
        return out.toByteArray();
    }

    /** A command as a client sends it: an array of bulk strings. */
    public static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        header(out, '*', args.length);
        for (byte[] arg : args) bulk(out, arg);
        return out.toByteArray();
    }

    public static byte[] command(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return command(bytes);
    }

    private static void write(ByteArrayOutputStream out, Resp value) {
        if (value instanceof Resp.Simple s) {
            line(out, '+', s.text());
        } else if (value instanceof Resp.Error e) {
            line(out, '-', e.message());
        } else if (value instanceof Resp.Int i) {
            line(out, ':', Long.toString(i.value()));
        } else if (value instanceof Resp.Bulk b) {
            bulk(out, b.bytes());
        } else if (value instanceof Resp.Array a) {
            if (a.items() == null) {
                header(out, '*', -1);
            } else {
                header(out, '*', a.items().size());
                for (Resp item : a.items()) write(out, item);
            }
        } else if (value instanceof Resp.Map m) {
            header(out, '%', m.keysAndValues().size() / 2);
            for (Resp item : m.keysAndValues()) write(out, item);
        }
    }

    private static void bulk(ByteArrayOutputStream out, byte[] bytes) {
        if (bytes == null) {
            header(out, '$', -1);
            return;
        }
        header(out, '$', bytes.length);
        out.writeBytes(bytes);
        out.writeBytes(CRLF);
    }

    private static void header(ByteArrayOutputStream out, char type, long n) {
        line(out, type, Long.toString(n));
    }

    private static void line(ByteArrayOutputStream out, char type, String text) {
        out.write(type);
        // Simple strings and errors cannot contain line breaks.
        out.writeBytes(text.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
        out.writeBytes(CRLF);
    }
}
