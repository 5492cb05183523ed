#!/usr/bin/python3
"""Replays the seeds' own NumPy code for the first steps of each preset, for Experiments/PresetTests.

spiral  - CS231n "neural networks case study" training loop on its spiral (np.random.seed(0)); weights as the
          planar notebook's initialize_parameters: np.random.seed(2); W1 = randn(100, 2)*0.01; W2 = randn(3, 100)*0.01;
          full-batch GD, step 1, reg 1e-3 (0.5*reg*sum(W^2) on the mean loss).
flower  - the planar notebook: np.random.seed(1); load_planar_dataset(); then, without reseeding,
          W1 = randn(20, 2)*0.01, W2 = randn(2, 20)*0.01, b = 0; ReLU hidden layer, softmax output,
          mean cross-entropy, lr 0.05, decay 0.
(find_seed_orders.py shows why these generator orders: they give the seeds' published accuracies.)
raschka - Raschka's NeuralNetMLP (Python Machine Learning 2nd ed., ch. 12) fit(), verbatim in its arithmetic,
          on MNIST from data/mnist (first 55000 train, last 5000 valid), pixels to [-1, 1], one epoch.
Records the per-iteration losses, the weights after a few steps and accuracies.
Run: /usr/bin/python3 make_preset_fixtures.py   (reads ../../../../data/mnist)
"""
import gzip, json, os, struct
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "data", "mnist")
out = {}


def spiral_data():
    np.random.seed(0)
    N, D, K = 100, 2, 3
    X = np.zeros((N * K, D)); y = np.zeros(N * K, dtype='uint8')
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def flower_data():
    np.random.seed(1)
    m = 400; N = int(m / 2); D = 2
    X = np.zeros((m, D)); Y = np.zeros((m, 1), dtype='uint8'); a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X, Y.ravel()


def softmax_relu_gd(X, y, W, b, W2, b2, step_size, reg, iterations, record_every):
    """CS231n's training loop (X one sample per row)."""
    num_examples = X.shape[0]
    losses, accs = [], []
    for i in range(iterations):
        hidden_layer = np.maximum(0, np.dot(X, W) + b)
        scores = np.dot(hidden_layer, W2) + b2
        exp_scores = np.exp(scores)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        correct_logprobs = -np.log(probs[range(num_examples), y])
        data_loss = np.sum(correct_logprobs) / num_examples
        reg_loss = 0.5 * reg * np.sum(W * W) + 0.5 * reg * np.sum(W2 * W2)
        loss = data_loss + reg_loss
        dscores = probs
        dscores[range(num_examples), y] -= 1
        dscores /= num_examples
        dW2 = np.dot(hidden_layer.T, dscores)
        db2 = np.sum(dscores, axis=0, keepdims=True)
        dhidden = np.dot(dscores, W2.T)
        dhidden[hidden_layer <= 0] = 0
        dW = np.dot(X.T, dhidden)
        db = np.sum(dhidden, axis=0, keepdims=True)
        dW2 += reg * W2
        dW += reg * W
        W += -step_size * dW; b += -step_size * db
        W2 += -step_size * dW2; b2 += -step_size * db2
        losses.append(float(loss))
        # accuracy after the update (Backprop's history records accuracy at the end of the epoch)
        if (i + 1) % record_every == 0:
            h = np.maximum(0, np.dot(X, W) + b)
            accs.append([i + 1, float(np.mean(np.argmax(np.dot(h, W2) + b2, axis=1) == y))])
    return losses, accs


# spiral: CS231n case study
X, y = spiral_data()
np.random.seed(2)
D, h, K = 2, 100, 3
P1 = np.random.randn(h, D) * 0.01; P2 = np.random.randn(K, h) * 0.01
W = P1.T.copy(); b = np.zeros((1, h))
W2 = P2.T.copy(); b2 = np.zeros((1, K))
losses, accs = softmax_relu_gd(X, y, W, b, W2, b2, 1.0, 1e-3, 200, 50)
out["spiral"] = dict(iterations=200, losses=losses, accuracies=accs,
                     W1_initial=P1.tolist(), W2_initial=P2.tolist(),
                     W1_final=W.T.tolist(), b1_final=b.ravel().tolist(), W2_final=W2.T.tolist(), b2_final=b2.ravel().tolist())

# flower: planar notebook layout (parameters as (n_out, n_in)), ReLU + softmax, lr 0.05, decay 0
X, y = flower_data()  # seeds 1 and leaves the generator after the data
n_x, n_h, n_y = 2, 20, 2
P1 = np.random.randn(n_h, n_x) * 0.01; P2 = np.random.randn(n_y, n_h) * 0.01
W = P1.T.copy(); W2 = P2.T.copy(); b = np.zeros((1, n_h)); b2 = np.zeros((1, n_y))
losses, accs = softmax_relu_gd(X, y, W, b, W2, b2, 0.05, 0.0, 300, 100)
out["flower"] = dict(iterations=300, losses=losses, accuracies=accs,
                     W1_initial=P1.tolist(), W2_initial=P2.tolist(),
                     W1_final=W.T.tolist(), b1_final=b.ravel().tolist(), W2_final=W2.T.tolist(), b2_final=b2.ravel().tolist())


# raschka: NeuralNetMLP.fit, one epoch
def load_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    if name.startswith("train-labels") or name.startswith("t10k-labels"):
        return np.frombuffer(data, dtype=np.uint8, offset=8)
    n, rows, cols = struct.unpack(">III", data[4:16])
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)


X_all = ((load_idx("train-images-idx3-ubyte.gz") / 255.) - .5) * 2
y_all = load_idx("train-labels-idx1-ubyte.gz").astype(int)
X_train, y_train = X_all[:55000], y_all[:55000]
X_valid, y_valid = X_all[55000:], y_all[55000:]


class NeuralNetMLP:
    def __init__(self, n_hidden=30, l2=0., epochs=100, eta=0.001, shuffle=True, minibatch_size=1, seed=None):
        self.random = np.random.RandomState(seed)
        self.n_hidden = n_hidden; self.l2 = l2; self.epochs = epochs; self.eta = eta
        self.shuffle = shuffle; self.minibatch_size = minibatch_size

    def _onehot(self, y, n_classes):
        onehot = np.zeros((n_classes, y.shape[0]))
        for idx, val in enumerate(y.astype(int)):
            onehot[val, idx] = 1.
        return onehot.T

    def _sigmoid(self, z):
        return 1. / (1. + np.exp(-np.clip(z, -250, 250)))

    def _forward(self, X):
        z_h = np.dot(X, self.w_h) + self.b_h
        a_h = self._sigmoid(z_h)
        z_out = np.dot(a_h, self.w_out) + self.b_out
        a_out = self._sigmoid(z_out)
        return z_h, a_h, z_out, a_out

    def _compute_cost(self, y_enc, output):
        L2_term = (self.l2 * (np.sum(self.w_h ** 2.) + np.sum(self.w_out ** 2.)))
        term1 = -y_enc * (np.log(output))
        term2 = (1. - y_enc) * np.log(1. - output)
        return np.sum(term1 - term2) + L2_term

    def predict(self, X):
        z_h, a_h, z_out, a_out = self._forward(X)
        return np.argmax(z_out, axis=1)

    def fit(self, X_train, y_train, X_valid, y_valid, batches=None):
        n_output = np.unique(y_train).shape[0]
        n_features = X_train.shape[1]
        self.b_h = np.zeros(self.n_hidden)
        self.w_h = self.random.normal(loc=0.0, scale=0.1, size=(n_features, self.n_hidden))
        self.b_out = np.zeros(n_output)
        self.w_out = self.random.normal(loc=0.0, scale=0.1, size=(self.n_hidden, n_output))
        self.first_batch = None
        y_train_enc = self._onehot(y_train, n_output)
        for i in range(self.epochs):
            indices = np.arange(X_train.shape[0])
            if self.shuffle:
                self.random.shuffle(indices)
            for start_idx in range(0, indices.shape[0] - self.minibatch_size + 1, self.minibatch_size):
                batch_idx = indices[start_idx:start_idx + self.minibatch_size]
                if self.first_batch is None:
                    self.first_batch = batch_idx.tolist()
                z_h, a_h, z_out, a_out = self._forward(X_train[batch_idx])
                sigma_out = a_out - y_train_enc[batch_idx]
                sigmoid_derivative_h = a_h * (1. - a_h)
                sigma_h = (np.dot(sigma_out, self.w_out.T) * sigmoid_derivative_h)
                grad_w_h = np.dot(X_train[batch_idx].T, sigma_h)
                grad_b_h = np.sum(sigma_h, axis=0)
                grad_w_out = np.dot(a_h.T, sigma_out)
                grad_b_out = np.sum(sigma_out, axis=0)
                delta_w_h = (grad_w_h + self.l2 * self.w_h)
                delta_b_h = grad_b_h
                self.w_h -= self.eta * delta_w_h
                self.b_h -= self.eta * delta_b_h
                delta_w_out = (grad_w_out + self.l2 * self.w_out)
                delta_b_out = grad_b_out
                self.w_out -= self.eta * delta_w_out
                self.b_out -= self.eta * delta_b_out
        return self


nn = NeuralNetMLP(n_hidden=100, l2=0.01, epochs=1, eta=0.0005, minibatch_size=100, shuffle=True, seed=1)
nn.fit(X_train, y_train, X_valid, y_valid)
z_h, a_h, z_out, a_out = nn._forward(X_train)
cost = nn._compute_cost(nn._onehot(y_train, 10), a_out)
out["raschka"] = dict(
    epochs=1,
    first_batch=nn.first_batch,
    train_accuracy=float(np.mean(nn.predict(X_train) == y_train)),
    valid_accuracy=float(np.mean(nn.predict(X_valid) == y_valid)),
    summed_cost=float(cost),
    # Backprop's layout: W [out][in]
    W1_rows=nn.w_h.T[:3].tolist(), W1_sum=float(nn.w_h.sum()), W1_sumsq=float((nn.w_h ** 2).sum()),
    b1=nn.b_h.tolist(), W2=nn.w_out.T.tolist(), b2=nn.b_out.tolist())

with open(os.path.join(HERE, "presets.json"), "w") as f:
    json.dump(out, f)
print("wrote", list(out), "raschka epoch-1 train/valid", out["raschka"]["train_accuracy"], out["raschka"]["valid_accuracy"])
