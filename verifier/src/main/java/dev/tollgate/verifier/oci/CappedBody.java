package dev.tollgate.verifier.oci;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Receives a response body up to a cap, counting bytes as they arrive: the subscription is
 * cancelled (and the connection dropped) the moment a body passes the cap, whatever its {@code
 * Content-Length} said. A declared length above the cap is refused before any byte is read.
 *
 * <p>Only a 200 answer's body is wanted; any other status (a redirect, a challenge, an error) gets
 * its body dropped unread, so an endless error page costs nothing.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final long cap;
  private final String what;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private volatile Flow.Subscription subscription;
  private long count;

  private CappedBody(long cap, String what) {
    this.cap = cap;
    this.what = what;
  }

  /** A handler reading a 200 answer's body up to {@code cap} bytes, dropping any other body. */
  static HttpResponse.BodyHandler<byte[]> handler(long cap, String what) {
    return info -> {
      if (info.statusCode() != 200) {
        return dropped();
      }
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > cap) {
        // Refusing on the declaration alone; a smaller declaration is not trusted either.
        CappedBody refused = new CappedBody(cap, what);
        refused.result.completeExceptionally(tooLarge(what, declared, cap));
        return new Cancelling<>(refused.result);
      }
      return new CappedBody(cap, what);
    };
  }

  /** A body not read at all: the subscription is cancelled at once. */
  static HttpResponse.BodySubscriber<byte[]> dropped() {
    return new Cancelling<>(CompletableFuture.completedFuture(new byte[0]));
  }

  static OciException tooLarge(String what, long size, long cap) {
    return new OciException(
        OciReason.TOO_LARGE,
        what + " is " + size + " bytes or more, the limit is " + cap,
        Map.of("what", what, "size", String.valueOf(size), "limit", String.valueOf(cap)));
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      int n = b.remaining();
      if (count + n > cap) {
        subscription.cancel();
        result.completeExceptionally(tooLarge(what, count + n, cap));
        return;
      }
      count += n;
      byte[] chunk = new byte[n];
      b.get(chunk);
      received.write(chunk, 0, n);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(received.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  /** Cancels its subscription as soon as it gets one; the body's value is fixed in advance. */
  private static final class Cancelling<T> implements HttpResponse.BodySubscriber<T> {
    private final CompletableFuture<T> value;

    Cancelling(CompletableFuture<T> value) {
      this.value = value;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      // nothing is requested
    }

    @Override
    public void onError(Throwable t) {
      // the outcome is already decided
    }

    @Override
    public void onComplete() {
      // the outcome is already decided
    }

    @Override
    public CompletionStage<T> getBody() {
      return value;
    }
  }
}
