package io.github.nola4j.samples.vit;

/**
 * The size of a {@link TinyVit}: square images of {@code imageSize} pixels (one channel) cut into
 * (imageSize / patch)² patches of patch² pixels, each embedded to {@code width} values; {@code depth}
 * pre-norm blocks of {@code heads}-head self-attention and a GELU MLP of {@code mlpWidth} hidden units.
 *
 * @param imageSize image height and width
 * @param patch     patch height and width; divides imageSize
 * @param width     token width D; divisible by heads
 * @param depth     transformer blocks
 * @param heads     attention heads, each of D / heads values
 * @param mlpWidth  hidden units of each block's MLP
 */
public record VitShape(int imageSize, int patch, int width, int depth, int heads, int mlpWidth) {

    /** Fashion-MNIST's 28x28 in 16 patches of 7x7, D = 64, 2 blocks of 4 heads, MLP 4·D. */
    public static final VitShape DEFAULT = new VitShape(28, 7, 64, 2, 4, 256);

    public VitShape {
        if (imageSize < 1 || patch < 1 || imageSize % patch != 0) {
            throw new IllegalArgumentException("patch " + patch + " must divide the image size " + imageSize
                    + "; e.g. 7 for 28x28 images");
        }
        if (width < 1 || heads < 1 || width % heads != 0 || depth < 1 || mlpWidth < 1) {
            throw new IllegalArgumentException("width " + width + " must be a multiple of heads " + heads
                    + ", depth " + depth + " and mlpWidth " + mlpWidth + " at least 1");
        }
    }

    /** @return patches per image, T = (imageSize / patch)² */
    public int tokens() {
        int side = imageSize / patch;
        return side * side;
    }

    /** @return values per head, D / heads */
    public int headWidth() {
        return width / heads;
    }
}
