package io.github.nola4j.layers.ops;

/**
 * The one check of user options that every builder here uses (layer builders, convolution
 * geometry, nola-zoo's adapter options), so that each error reads the same way:
 * {@code <owner>: <option> = <value> <constraint>; <fix>}, e.g.
 * {@code NolaDense "fc1": rank = 0 must be > 0; use a rank such as 4}.
 */
public final class OptionCheck {

    private OptionCheck() {
    }

    /**
     * @param ok         whether the option is valid
     * @param owner      what the option belongs to, e.g. {@code NolaDense "fc1"}
     * @param option     the option's name
     * @param value      the value given
     * @param constraint what the value must satisfy, e.g. "must be &gt; 0"
     * @param fix        what to do instead, e.g. "use a rank such as 4"
     * @throws IllegalArgumentException naming all of these when {@code ok} is false
     */
    public static void require(boolean ok, String owner, String option, Object value, String constraint,
                               String fix) {
        if (!ok) {
            throw new IllegalArgumentException(owner + ": " + option + " = " + value + " " + constraint + "; " + fix);
        }
    }
}
