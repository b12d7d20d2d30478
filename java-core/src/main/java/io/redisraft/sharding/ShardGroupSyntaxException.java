package io.redisraft.sharding;

/** A shard group description that does not parse or validate; the message is the error reply. */
public final class ShardGroupSyntaxException extends Exception {
    private final boolean wrongArity;

    ShardGroupSyntaxException(String reply, boolean wrongArity) {
        super(reply);
        this.wrongArity = wrongArity;
    }

    static ShardGroupSyntaxException error(String reply) {
        return new ShardGroupSyntaxException(reply, false);
    }

    static ShardGroupSyntaxException arityError() {
        return new ShardGroupSyntaxException("wrong number of arguments", true);
    }

    /** The arguments end before the description does: the command's wrong-arity error applies. */
    public boolean isArityError() {
        return wrongArity;
    }
}
