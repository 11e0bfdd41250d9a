/** The Market tab (being built). */
export default function Market() {
  return <p>Market is on its way.</p>;
}
