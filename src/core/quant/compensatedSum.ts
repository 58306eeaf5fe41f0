/** Neumaier's compensated sum: adds many terms with an error independent of their count. */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    // Past overflow the compensation would be Inf - Inf: the sum stays ±Inf (or NaN for a NaN term).
    if (t - t !== 0) {
      this.sum = t;
      return;
    }
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += (this.sum - t) + x;
    else this.compensation += (x - t) + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum - this.sum === 0 ? this.sum + this.compensation : this.sum;
  }
}
