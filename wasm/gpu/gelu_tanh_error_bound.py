# First-order float32 error bounds of GELU-tanh's derivative on WGSL's guaranteed
# accuracies, for the tanh form and the exp form the WebGPU kernel uses: the floor that
# gpu_checks.cpp states for it comes from here. Run: /usr/bin/python3 gelu_tanh_error_bound.py
import numpy as np
U = 2.0**-24            # half an ulp, relative: correctly rounded + - *
ULP = 2.0**-23          # one ulp, relative upper bound
c, k = 0.7978845608028654, 0.044715
x = np.linspace(-8, 8, 400001)
u = c*(x + k*x**3)
t = np.tanh(u); s2 = 1 - t*t
din = c*(1 + 3*k*x*x)
f = 0.5*(1+t) + 0.5*x*s2*din
du = np.abs(u)*5*U               # x^3 (2), k*x^3, +, c*: 5 roundings, no cancellation
ddin = din*4*U
fac = 0.5*np.abs(x)*din
# (a) the old form: t = tanh(u) with WGSL's tanh "inherited from sinh/cosh" = from exp(+-u):
e_exp = (3 + 2*np.minimum(np.abs(u), 20))*ULP       # relative error of each exp
e_t = 2*e_exp + 2.5*ULP + 2*U                        # (e^u - e^-u)/(e^u + e^-u)
dt = np.abs(t)*e_t + s2*du                           # absolute error of t
E_old = 0.5*dt + 0.5*np.abs(1+t)*U + fac*(2*np.abs(t)*dt + 2*U) + fac*s2*(4*U) + 0.5*np.abs(x)*s2*ddin + np.abs(f)*U
# (b) the new form: a = exp(-2|u|), sech2 = 4a/(1+a)^2, (1+t)/2 = (u>=0 ? 1 : a)/(1+a)
a = np.exp(-2*np.abs(u)); ea = (3 + 2*2*np.abs(u))*ULP + 2*du  # exp's ulps + u's error (d(-2|u|) = 2 du)
h = np.where(u >= 0, 1, a)/(1+a)
e_h = np.where(u >= 0, a/(1+a)*ea, ea/(1+a)) + U + 2.5*ULP
e_s2 = ea*(1 + 2*a/(1+a)) + 2*U + U + 2.5*ULP        # 4a exact, (1+a), square, divide
E_new = h*e_h + fac*s2*(e_s2 + 3*U) + 0.5*np.abs(x)*s2*ddin + np.abs(f)*U
m = np.abs(f).max()
for name, E in (("tanh form", E_old), ("exp form", E_new)):
    floor = np.max(np.maximum(0, E - 1e-5*np.abs(f)))/m
    print(f"{name}: max abs error {E.max():.2e} at x={x[E.argmax()]:.2f}; floor needed beyond 1e-5 relative: {floor:.2e} x max|f'| ({m:.3f}); max E/|f'| where |f'|>0.1: {np.max(E[np.abs(f)>0.1]/np.abs(f[np.abs(f)>0.1])):.2e}")
