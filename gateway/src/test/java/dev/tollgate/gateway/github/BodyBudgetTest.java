package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {

  @Test
  void grow_pastMaxBuffered_refusesAndCountsNothing() {
    BodyBudget budget = new BodyBudget(100, 1_000, 1);
    BodyBudget.Claim first = budget.open(-1);
    BodyBudget.Claim second = budget.open(-1);

    assertThat(first.grow(60)).isTrue();
    assertThat(second.grow(50)).isFalse();
    assertThat(second.grow(40)).isTrue();
    assertThat(budget.buffered()).isEqualTo(100);
    assertThat(budget.peak()).isEqualTo(100);
  }

  @Test
  void open_declaredLargeWhenSlotsTaken_refuses() {
    BodyBudget budget = new BodyBudget(10_000, 100, 1);
    BodyBudget.Claim large = budget.open(500);

    assertThat(large).isNotNull();
    assertThat(budget.open(500)).isNull();
    assertThat(budget.open(50)).as("a small body still gets in").isNotNull();
    large.release();
    assertThat(budget.open(500)).as("the slot is back").isNotNull();
  }

  @Test
  void grow_undeclaredBodyCrossingLargeWhenSlotsTaken_refuses() {
    BodyBudget budget = new BodyBudget(10_000, 100, 1);
    BodyBudget.Claim chunked = budget.open(-1);
    BodyBudget.Claim other = budget.open(-1);

    assertThat(chunked.grow(80)).isTrue();
    assertThat(chunked.grow(80)).as("now large, takes the one slot").isTrue();
    assertThat(other.grow(80)).isTrue();
    assertThat(other.grow(80)).as("would be a second large body").isFalse();
  }

  @Test
  void release_twice_givesBackOnce() {
    BodyBudget budget = new BodyBudget(1_000, 100, 1);
    BodyBudget.Claim claim = budget.open(-1);
    BodyBudget.Claim kept = budget.open(-1);
    claim.grow(50);
    kept.grow(30);

    claim.release();
    claim.release();

    assertThat(budget.buffered()).isEqualTo(30);
    assertThat(claim.grow(10)).as("a released claim takes nothing more").isFalse();
    assertThat(budget.peak()).isEqualTo(80);
  }
}
