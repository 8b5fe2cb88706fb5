package dev.berth.volume.lifecycle;

import io.vertx.pgclient.PgException;
import jakarta.persistence.OptimisticLockException;
import org.hibernate.StaleStateException;
import org.hibernate.exception.ConstraintViolationException;

import java.util.Set;

/** What a failed transaction means for whoever would try it again. */
public final class Failures {
    /** unique_violation, serialization_failure, deadlock_detected. */
    private static final Set<String> CONFLICT_STATES = Set.of("23505", "40001", "40P01");

    private Failures() {
    }

    /**
     * A concurrent writer got there first (a stale version, a duplicate key): deciding again on what
     * the winner left is the answer.
     */
    public static boolean isConflict(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof StaleStateException
                    || t instanceof ConstraintViolationException) {
                return true;
            }
            if (t instanceof PgException pg && CONFLICT_STATES.contains(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Trying the same work again later cannot help: the database answered with an error that is not
     * a conflict, or the code refused it. Anything else (no connection, a timeout) may pass.
     */
    public static boolean isPermanent(Throwable failure) {
        if (isConflict(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof PgException || t instanceof IllegalArgumentException
                    || t instanceof IllegalStateException || t instanceof NullPointerException
                    || t instanceof ClassCastException) {
                return true;
            }
        }
        return false;
    }
}
