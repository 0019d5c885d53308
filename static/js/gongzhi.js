/* Gongzhi UI behaviour: no inline scripts (CSP). */
