const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

/** Discord-shaped ids: time in the high bits, so they sort by creation like real snowflakes. */
export function snowflake(): string {
  counter = (counter + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | counter).toString();
}
